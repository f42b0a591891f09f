"""gunicorn's settings for school in production.

    python -m gunicorn --config <site-packages>/school/deploy/gunicorn.conf.py

``flask --app school deploy render`` writes the systemd unit that runs this with the
right paths. What the command line gives wins over this file (the unit gives
``--bind``); these environment variables (the unit's environment file) tune it:

    GUNICORN_BIND       where to listen (default 127.0.0.1:8000; unix:/run/school/gunicorn.sock)
    WEB_CONCURRENCY     worker processes (default: one per CPU core)
    GUNICORN_THREADS    threads per worker (default 4)
    GUNICORN_TIMEOUT    seconds before a stuck worker is replaced (default 120)
"""

import os

wsgi_app = "school:create_app()"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# gthread, one worker per core, 4 threads each: measured in bench/README.md ("Gunicorn
# configuration"). Requests are CPU-bound, so more workers than cores buy nothing; the
# threads overlap waits on PostgreSQL and keep nginx's upstream connections alive.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)

# The longest request is an organiser printing every badge of an edition as one PDF;
# nginx waits as long (proxy_read_timeout).
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
graceful_timeout = 30  # a restart lets running requests finish
keepalive = 5  # seconds an idle connection from nginx stays open

# Each worker builds the app after the fork, so no database connection or lock is
# shared between processes; a worker is replaced now and then, which bounds what it
# keeps (its render cache is its own and rebuilt on demand).
preload_app = False
max_requests = 5000
max_requests_jitter = 500

proc_name = "school"
# nginx writes the access log, with the client's address; gunicorn's would only see nginx.
accesslog = None
errorlog = "-"  # to the journal under systemd
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# gunicorn >= 25.1 opens a control socket for `gunicornc` (workers' status, graceful
# reload). Under systemd it goes in the unit's RuntimeDirectory (/run/school), readable
# by the service's account only; elsewhere (tests, benchmarks: several servers run by
# one account would share $HOME/.gunicorn/gunicorn.ctl) there is none.
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "gunicorn.ctl")
else:
    control_socket_disable = True

# Heartbeat files in memory rather than on a disk that may stall (gunicorn's advice);
# gunicorn makes them with mkstemp and unlinks them at once.
SHARED_MEMORY = "/dev/shm"  # noqa: S108
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY

# Each worker, its app built, puts the app's long-lived objects out of the garbage
# collector's sight (school/worker.py).
from school.worker import post_worker_init  # noqa: E402, F401
