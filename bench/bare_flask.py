"""The ceiling: a bare Flask view returning ready bytes (our list answer), under gunicorn.

    BENCH_BARE_BODY=path/to/body.json gunicorn -w 2 bench.bare_flask:app
"""

import os

from flask import Flask, Response

app = Flask(__name__)
BODY = open(os.environ["BENCH_BARE_BODY"], "rb").read()


@app.get("/bare")
def bare():
    return Response(BODY, mimetype="application/json")
