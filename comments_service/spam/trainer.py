"""The trained model of each database, kept in this process; rebuilt in the background.

The model is derived state: it can always be rebuilt from the database (the spam_corpus
table). Requests only ever read the last model built; when the corpus changes (a moderator's
decision here or in another worker, an import by the CLI), a background thread rebuilds it
after a short quiet spell, so a burst of decisions costs one retraining.

The model is also kept in a file beside the database, signed (HMAC) with the site's secret
key, so a restart or a new worker starts with it. A file we did not sign is never unpickled;
without a key, no file is written or read.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import pickle
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .. import store
from . import corpus

log = logging.getLogger(__name__)

RETRAIN_DELAY = 2.0  # seconds of quiet after a decision before retraining
FILE_SUFFIX = ".spam-model"
FILE_MAGIC = b"touch-base spam model 4\n"  # 4: links as the sanitizer gives them (3: calibration)


@dataclass
class _Slot:
    lock: threading.Lock = field(default_factory=threading.Lock)
    model: object | None = None  # a classifier.Classifier, or None while untrained
    version: int = -1  # the corpus version the model was built from (-1: not looked yet)
    timer: threading.Timer | None = None
    busy: bool = False
    manual: bool = False  # replays retrain when they choose, never in the background
    file_key: str = ""  # signs the model file; "" keeps the model in memory only
    idle: threading.Event = field(default_factory=threading.Event)


_slots: dict[str, _Slot] = {}
_slots_lock = threading.Lock()


def _slot(path: str) -> _Slot:
    with _slots_lock:
        slot = _slots.get(path)
        if slot is None:
            slot = _slots[path] = _Slot()
            slot.idle.set()
        return slot


def current(db, file_key: str = ""):
    """The model to score with now (None: untrained). Never waits for training.

    `file_key` (the site's secret key) lets the model be kept in a signed file beside the database.
    """
    path = store.database_file(db)
    if not path:  # an in-memory database cannot be read from a background thread
        return None
    slot = _slot(path)
    slot.file_key = file_key
    version = store.corpus_version(db)
    if version != slot.version and not slot.manual:
        if version == 0:  # nothing to learn from: untrained, no thread needed
            slot.model, slot.version = None, 0
        elif slot.idle.is_set():
            _schedule(path, slot, delay=0.0 if slot.model is None else RETRAIN_DELAY)
    return slot.model


def corpus_changed(db) -> None:
    """A decision was recorded: retrain after a quiet spell (each new call restarts the wait)."""
    path = store.database_file(db)
    slot = _slot(path)
    if not slot.manual:
        _schedule(path, slot, delay=RETRAIN_DELAY, restart=True)


def _schedule(path: str, slot: _Slot, delay: float, restart: bool = False) -> None:
    with slot.lock:
        if slot.timer is not None:
            if not restart:
                return
            slot.timer.cancel()
        slot.idle.clear()
        slot.timer = threading.Timer(delay, _run, args=(path, slot))
        slot.timer.daemon = True
        slot.timer.start()


def _run(path: str, slot: _Slot) -> None:
    with slot.lock:
        slot.timer = None
        if slot.busy:  # a rebuild is running: it will see the new version when done
            return
        slot.busy = True
    try:
        db = store.open_db(path)
        try:
            version = store.corpus_version(db)
            _install(slot, _build(db, path, version, slot.file_key), version)
            changed_meanwhile = store.corpus_version(db) != version
        finally:
            db.close()
    except Exception:  # a broken rebuild leaves the last model in use; the next decision retries
        log.exception("spam filter: retraining from %s failed", path)
        changed_meanwhile = False
    with slot.lock:
        slot.busy = False
        again = changed_meanwhile and slot.timer is None
        if slot.timer is None and not again:
            slot.idle.set()
    if again:  # decisions arrived while training: one more round (idle stays clear meanwhile)
        _schedule(path, slot, delay=RETRAIN_DELAY)


def _install(slot: _Slot, model, version: int) -> None:
    with slot.lock:
        slot.model, slot.version = model, version


def _build(db, path: str, version: int, file_key: str):
    model = read_model_file(path, version, file_key) if file_key else None
    if model is None:
        from . import classifier  # scikit-learn loads here, in the background, not in a request

        model = classifier.train(corpus.weighted(store.list_spam_corpus(db)), version)
        if model is not None and file_key:
            write_model_file(path, model, file_key)
    return model


def retrain_now(db, file_key: str = ""):
    """Rebuild the model in this thread and use it from now on (CLI, replays, tests)."""
    path = store.database_file(db)
    slot = _slot(path)
    slot.file_key = file_key if path else ""
    version = store.corpus_version(db)
    model = _build(db, path, version, slot.file_key) if version else None
    _install(slot, model, version)
    return model


def wait_until_trained(db, timeout: float = 30.0) -> bool:
    """Wait for background retraining to catch up with the corpus (tests, the CLI)."""
    slot = _slot(store.database_file(db))
    current(db, slot.file_key)
    return slot.idle.wait(timeout) and slot.version == store.corpus_version(db)


def set_manual(db, manual: bool = True) -> None:
    """Replays: no background retraining for this database; they call retrain_now themselves."""
    _slot(store.database_file(db)).manual = manual


def forget(db) -> None:
    """Drop this database's model from memory (a replay's temporary database is done)."""
    with _slots_lock:
        slot = _slots.pop(store.database_file(db), None)
    if slot is not None and slot.timer is not None:
        slot.timer.cancel()


def model_file(path: str) -> Path:
    return Path(path).with_name(Path(path).name + FILE_SUFFIX)


def _signature(key: str, payload: bytes) -> bytes:
    return hmac.new(key.encode(), FILE_MAGIC + payload, hashlib.sha256).digest()


def write_model_file(path: str, model, key: str) -> None:
    """Keep the model beside the database: owner-only, signed, replaced in one step."""
    payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    target = model_file(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(FILE_MAGIC + _signature(key, payload) + payload)
        os.replace(temporary, target)
    except OSError as error:  # a read-only var/ only costs a retraining at the next start
        log.warning("spam filter: cannot keep the model in %s: %s", target, error)
        temporary.unlink(missing_ok=True)


def read_model_file(path: str, version: int, key: str):
    """The kept model if it was built from this corpus version and carries our signature."""
    try:
        data = model_file(path).read_bytes()
    except OSError:
        return None
    digest_end = len(FILE_MAGIC) + hashlib.sha256().digest_size
    if not data.startswith(FILE_MAGIC) or len(data) <= digest_end:
        return None
    digest, payload = data[len(FILE_MAGIC):digest_end], data[digest_end:]
    if not hmac.compare_digest(digest, _signature(key, payload)):
        log.warning("spam filter: %s is not signed with this site's key; ignored", model_file(path))
        return None
    from . import classifier

    model = pickle.loads(payload)  # signed by us above: this is our own file
    if not isinstance(model, classifier.Classifier) or model.version != version:
        return None
    return model
