import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, Wagtail, the apps) lives as long as the process: keep it out
# of the cyclic garbage collector's full passes, which otherwise cost ~2 ms of a request now and
# then (measured with bench/survey_submit.py; see docs/performance.md).
gc.freeze()
