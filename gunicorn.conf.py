"""gunicorn's settings for the tracker in production: `gunicorn app:app` reads this file from
the working directory (or name it: `gunicorn -c /srv/tracker/gunicorn.conf.py app:app`).

Each value can be changed without editing the file: GUNICORN_BIND, GUNICORN_WORKERS and
GUNICORN_TIMEOUT, or any gunicorn flag on the command line, which wins over this file.
"""

import multiprocessing
import os

# Behind a load balancer or reverse proxy; set PROXY_COUNT so the app trusts its headers.
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Synchronous workers: a request holds one from start to end, so more workers serve more
# people at once. Two per core plus one is gunicorn's advice; each takes about 80 MB.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))

# The longest request is a CSV import at its limits: IMPORT_MAX_ROWS (10,000) rows in a
# MAX_CONTENT_LENGTH (5 MB) upload take 10-15 s of a core to check and write, and up to 75 s
# on a 2-core machine shared with much other work (bench/import_csv.py). A worker still
# busy after the timeout is restarted and its request answered with an error.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
# On a restart, let requests in flight finish (as long as the slowest can take).
graceful_timeout = timeout
keepalive = 5

# One access log line per request on standard output: client, user agent, method, path and
# protocol, status, bytes, and the time taken in milliseconds (%(M)s), for spotting slow pages.
# Not the query string (%(r)s) nor the referrer: a sign-in's return carries a one-time code
# there. The app logs its own line per request too (tracker.request_log), with the request id.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
