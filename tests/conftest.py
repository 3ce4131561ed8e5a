import pytest

from portal.i18n_tools import compile_catalogues


def pytest_configure(config):
    # The suite checks translated pages, so the .mo files must match the .po files under test.
    compile_catalogues()


@pytest.fixture(autouse=True)
def _clear_sms_outbox():
    from portal.sms import MemorySmsSender

    MemorySmsSender.outbox.clear()
    yield
    MemorySmsSender.outbox.clear()
