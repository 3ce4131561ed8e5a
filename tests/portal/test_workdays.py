import datetime as dt

import pytest

from portal.models import HolidayCalendarYear, WorkdayOverride
from portal.workdays import (
    WorkdayCalendarUnknown,
    add_working_days,
    is_working_day,
    working_days_between,
)

D = dt.date
pytestmark = pytest.mark.django_db


def test_national_day_2025_holidays_are_not_working_days():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are make-up working days.
    for day in range(1, 9):
        assert not is_working_day(D(2025, 10, day)), day
    assert is_working_day(D(2025, 9, 28))
    assert is_working_day(D(2025, 10, 11))
    assert not is_working_day(D(2025, 10, 12))


def test_add_working_days_skips_the_national_day_holiday():
    # From Friday 26 Sept 2025: 28 Sept (Sun, 调休), 29, 30, then 9, 10, 11 (Sat, 调休) October.
    assert add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert add_working_days(D(2025, 9, 26), 3) == D(2025, 9, 30)
    assert add_working_days(D(2025, 9, 26), 4) == D(2025, 10, 9)
    assert add_working_days(D(2025, 9, 26), 6) == D(2025, 10, 11)
    assert add_working_days(D(2025, 9, 26), 7) == D(2025, 10, 13)


def test_twenty_working_days_from_a_request_received_before_national_day():
    assert add_working_days(D(2025, 9, 25), 20) == D(2025, 10, 29)


def test_working_days_between_is_the_inverse_of_adding():
    start = D(2025, 9, 20)
    for n in (0, 1, 5, 20, 37):
        end = add_working_days(start, n)
        assert working_days_between(start, end) == n
    assert working_days_between(D(2025, 10, 1), D(2025, 10, 8)) == 0
    assert working_days_between(D(2025, 10, 9), D(2025, 9, 30)) == -1


def test_an_unknown_year_raises_instead_of_guessing():
    with pytest.raises(WorkdayCalendarUnknown) as excinfo:
        is_working_day(D(2031, 3, 3))
    assert excinfo.value.year == 2031
    with pytest.raises(WorkdayCalendarUnknown):
        add_working_days(D(2030, 12, 20), 30)


def test_an_administrator_can_declare_an_unknown_year():
    HolidayCalendarYear.objects.create(year=2031, source="国务院办公厅通知（测试）")
    WorkdayOverride.objects.create(date=D(2031, 1, 1), is_working_day=False, reason="元旦")
    WorkdayOverride.objects.create(date=D(2031, 1, 4), is_working_day=True, reason="调休")
    assert not is_working_day(D(2031, 1, 1))  # a Wednesday, holiday by override
    assert is_working_day(D(2031, 1, 2))  # weekday rule
    assert is_working_day(D(2031, 1, 4))  # Saturday made a working day
    assert not is_working_day(D(2031, 1, 5))  # Sunday


def test_an_override_corrects_a_known_year():
    WorkdayOverride.objects.create(date=D(2025, 10, 13), is_working_day=False, reason="测试更正")
    assert not is_working_day(D(2025, 10, 13))
    assert add_working_days(D(2025, 10, 10), 2) == D(2025, 10, 14)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2025, 1, 2), -1)


def test_a_change_is_seen_at_once_although_each_process_keeps_a_copy(django_assert_num_queries):
    is_working_day(D(2025, 10, 13))  # loads 2025 into this process's copy
    with django_assert_num_queries(0):
        assert is_working_day(D(2025, 10, 13))  # served from the copy
    override = WorkdayOverride.objects.create(
        date=D(2025, 10, 13), is_working_day=False, reason="测试更正"
    )
    assert not is_working_day(D(2025, 10, 13))  # the save dropped every copy
    override.delete()
    assert is_working_day(D(2025, 10, 13))
    with pytest.raises(WorkdayCalendarUnknown):
        is_working_day(D(2031, 3, 3))
    HolidayCalendarYear.objects.create(year=2031, source="测试")
    assert is_working_day(D(2031, 3, 3))
