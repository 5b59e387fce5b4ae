"""The ceilings: bare Flask views under gunicorn, doing nothing a real service must do.

    BENCH_BARE_BODY=path/to/body.json gunicorn -w 2 bench.bare_flask:app

GET /bare returns ready bytes (our list answer); POST /bare reads a JSON comment and answers
201 with a small JSON object, as a post does, without checking, storing or judging anything.
"""

import os

from flask import Flask, Response, request

app = Flask(__name__)
BODY = open(os.environ["BENCH_BARE_BODY"], "rb").read()


@app.get("/bare")
def bare():
    return Response(BODY, mimetype="application/json")


@app.post("/bare")
def bare_post():
    comment = request.get_json()
    return Response(b'{"id":%d,"status":"pending"}' % len(comment), status=201,
                    mimetype="application/json")
