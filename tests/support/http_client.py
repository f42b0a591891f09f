"""A plain HTTP client over the standard library, one per simulated person (own cookies,
own connection), for tests against a live server."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import json
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request


class HttpClient:
    """``context``: the TLS settings for https; ``source_address``: the local address
    the client connects from (127.0.0.2 is another client of the same machine);
    ``cookies``: another client's, for the same person on another server."""

    def __init__(
        self,
        base_url: str,
        *,
        context: ssl.SSLContext | None = None,
        source_address: str | None = None,
        cookies: http.cookiejar.CookieJar | None = None,
    ):
        self.base_url = base_url
        self.cookies = cookies if cookies is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies),
            _NoRedirect(),
            _From(source_address, context),
        )

    def request(
        self, method: str, path: str, *, data=None, json_body=None, headers=None, raw=False
    ):
        """(status, headers, body): the body as text, or as bytes when ``raw``."""
        headers = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(
            self.base_url + path, data=body, method=method, headers=headers
        )
        try:
            with self.opener.open(req, timeout=60) as response:
                status, answer_headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, body = error.code, error.headers, error.read()
        return status, answer_headers, (body if raw else body.decode())

    def get(self, path: str):
        return self.request("GET", path)

    def post_json(self, path: str, body):
        status, _headers, text = self.request("POST", path, json_body=body)
        return status, (json.loads(text) if text else None)

    def submit_form(self, path: str, fields: dict):
        """Read the page (for its CSRF token), then send its form, with the Referer a
        browser sends to the same site (over HTTPS, Flask-WTF checks it)."""
        _status, _headers, page = self.get(path)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        return self.request(
            "POST",
            path,
            data={"csrf_token": token, **fields},
            headers={"Referer": self.base_url + path},
        )


class _From(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    def __init__(self, source_address: str | None, context: ssl.SSLContext | None):
        urllib.request.HTTPHandler.__init__(self)
        urllib.request.HTTPSHandler.__init__(self, context=context)
        self.source = (source_address, 0) if source_address else None

    def http_open(self, req):
        return self.do_open(
            functools.partial(http.client.HTTPConnection, source_address=self.source), req
        )

    def https_open(self, req):
        return self.do_open(
            functools.partial(http.client.HTTPSConnection, source_address=self.source),
            req,
            context=self._context,
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
