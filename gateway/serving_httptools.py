"""The head limits of `reqgate serve` (gateway/serving.py) on uvicorn's httptools protocol.

Its own module because it imports httptools, which an install may lack (then h11 serves).
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.serving import HeadDeadline

HEAD_TOO_LARGE = "Request head too large."


class HttpToolsHeadLimits(HeadDeadline, HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline per request head and a size limit.

    httptools calls on_message_begin at a request's first byte and on_headers_complete at
    the end of its head: the deadline runs between the two (and from the connection's
    start). It is armed at the end of a read that left a head incomplete, not at the
    head's first byte: a head that comes in one read, as nearly all do, never has a timer
    (one made and cancelled on every request cost ~14k instructions of a served one;
    docs/benchmarks.md §14, "Seventh session"). Nothing in httptools
    bounds a head, so every read that ends inside one counts towards HTTP_MAX_HEAD_BYTES,
    the read it began in as a whole (a request pipelined behind a large body in one read
    may be refused early: no real client pipelines); past the limit the answer is h11's, a
    400, and the connection closes.
    """

    max_head_bytes = 16 * 1024  # HTTP_MAX_HEAD_BYTES; head_limited() sets it per server
    _head_open = False  # a request has begun and its head is not complete
    _head_bytes = 0

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._head_open and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                self._disarm()
                self.send_400_response(HEAD_TOO_LARGE)
            elif self._head_timer is None:
                self._arm()  # the next request's head began in this read, and is not whole

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open, self._head_bytes = True, 0

    def on_headers_complete(self) -> None:
        self._head_open = False
        self._disarm()  # its request runs without this deadline
        super().on_headers_complete()
