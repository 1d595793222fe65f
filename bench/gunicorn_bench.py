# Empty on purpose: the benchmarks set gunicorn's options on the command line. Naming this file stops gunicorn from
# reading ../gunicorn.conf.py, whose worker count follows the cores and which logs every request.
