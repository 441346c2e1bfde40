#!/usr/bin/env python3
"""Prints a personal API token for a login: signs in through the login form (CSRF cookie and
field), then asks POST /api/v1/tokens with the session's CSRF token. Standard library only.

    scripts/ci/api_token.py http://127.0.0.1:8080 city Sanshe2026
"""
import http.cookiejar
import json
import re
import sys
import urllib.parse
import urllib.request

base, login, password = sys.argv[1:4]
jar = http.cookiejar.CookieJar()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def csrf_of(html):
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not m:
        sys.exit("no CSRF field on the page")
    return m.group(1)


page = opener.open(f"{base}/login").read().decode()
form = urllib.parse.urlencode(
    {"csrf_token": csrf_of(page), "login": login, "password": password, "next": "/account"}
).encode()
try:
    opener.open(f"{base}/login", data=form)
except urllib.error.HTTPError as e:
    if e.code != 303:
        sys.exit(f"login answered {e.code}")
account = opener.open(f"{base}/account").read().decode()
req = urllib.request.Request(
    f"{base}/api/v1/tokens",
    data=json.dumps({"name": "ci"}).encode(),
    headers={"Content-Type": "application/json", "X-CSRF-Token": csrf_of(account)},
    method="POST",
)
print(json.load(opener.open(req))["token"])
