"""Load the benchmark's comments into Isso's own schema. Runs in Isso's venv, not ours:

    bench/.work/isso-venv/bin/python bench/isso_load.py ISSO.CFG DATA.json

Isso creates its tables itself (isso.db.SQLite3); the rows then go in with one connection and
one transaction, with the same columns Isso's `Comments.add` writes (including the voters
Bloom filter). Imports only Isso and the standard library.
"""

import json
import sqlite3
import sys

from isso import config
from isso.db import SQLite3
from isso.utils import Bloomfilter


def main(conf_path: str, data_path: str) -> None:
    conf = config.load(config.default_file(), conf_path)
    path = conf.get("general", "dbpath")
    SQLite3(path, conf)  # creates the schema and its trigger, as Isso does at start
    data = json.load(open(data_path, encoding="utf-8"))
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO threads (uri, title) VALUES (?, ?)",
            [(t["uri"], t["title"]) for t in data["threads"]],
        )
        tids = dict(conn.execute("SELECT uri, id FROM threads"))
        voters = memoryview(Bloomfilter(iterable=["127.0.0.0"]).array)
        ids, parents = [], []
        first = {}
        for position, c in enumerate(data["comments"]):
            first.setdefault(c["uri"], position)
            parent = None
            if c["parent"] is not None:
                # Isso nests one level only: a reply to a reply hangs off the top-level comment.
                at = first[c["uri"]] + c["parent"]
                parent = parents[at] or ids[at]
            parents.append(parent)
            cursor = conn.execute(
                "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr, text,"
                " author, email, website, voters, notification) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (tids[c["uri"]], parent, c["created"], None, c["mode"], c["remote_addr"],
                 c["text"], c["author"], c["email"], c["website"], voters, 0),
            )
            ids.append(cursor.lastrowid)
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
