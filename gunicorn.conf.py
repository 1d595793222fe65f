"""gunicorn's settings for `make serve` (see README.md, "Production"). GUNICORN_CMD_ARGS overrides any of them."""

import multiprocessing
import os

from gunicorn import version_info

wsgi_app = "hkai_portal.wsgi"

# gunicorn's own convention: PORT alone, as hosting platforms set it, listens on every interface.
bind = os.environ.get("BIND") or (f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000")
# Sync workers spend much of their time waiting on the database, so more workers than cores keeps the cores busy.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)

# A request still running after 30 s is stuck: its worker is replaced rather than left to hold a slot.
timeout = 30
graceful_timeout = 30

accesslog = "-"
errorlog = "-"

if version_info >= (27,):
    # Otherwise every gunicorn on the host shares one control socket, ~/.gunicorn/gunicorn.ctl, and they clash.
    control_socket_disable = True
