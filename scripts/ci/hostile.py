#!/usr/bin/env python3
"""The hostile-input suite (issue 12): the requests and files that once stopped the service, sent
to a running server, which must stay up, answer each with a clear refusal and keep its memory
bounded. Standard library only.

    scripts/ci/hostile.py http://127.0.0.1:8080 SERVER_PID

The server must hold the demonstration data (accounts of `sanshe demo`).
"""
import concurrent.futures
import http.client
import io
import json
import re
import resource
import socket
import subprocess
import sys
import time
import urllib.parse
import zipfile

BASE = sys.argv[1].rstrip("/")
PID = int(sys.argv[2])
HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port
PASSWORD = "Sanshe2026"
failures = []


def rss_mib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def check(cond, what):
    print(("  ok   " if cond else "  FAIL ") + what)
    if not cond:
        failures.append(what)


def request(method, path, body=None, headers=None, source="127.0.0.1", timeout=60):
    c = http.client.HTTPConnection(HOST, PORT, timeout=timeout, source_address=(source, 0))
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def login(name, password, source="127.0.0.1"):
    """Posts the login form; answers (status, session cookie or None)."""
    s, h, body = request("GET", "/login", source=source)
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
    cookie = h.get("set-cookie", h.get("Set-Cookie", "")).split(";")[0]
    form = urllib.parse.urlencode({"csrf_token": csrf, "login": name, "password": password})
    s, h, _ = request(
        "POST",
        "/login",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        source=source,
    )
    return s


def token(name):
    out = subprocess.run(
        [sys.executable, "scripts/ci/api_token.py", BASE, name, PASSWORD],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def far_corner_xlsx():
    """A workbook whose sheet names cells A1 and XFD1048576 (once: a 512 GiB allocation)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>组织名称</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return workbook(sheet)


def workbook(sheet_xml, extra=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if extra:
            name, size = extra
            with z.open(name, "w", force_zip64=True) as f:
                chunk = b"a" * (1 << 20)
                for _ in range(size >> 20):
                    f.write(chunk)
    return buf.getvalue()


def bomb_xlsx():
    """2 MB-ish of compressed XML that inflates to 1 GiB."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>组织名称</t></is></c></row></sheetData></worksheet>'
    )
    return workbook(sheet, extra=("xl/sharedStrings.xml", 1 << 30))


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    base_rss = rss_mib()
    print(f"server memory at start: {base_rss} MiB")
    peak = base_rss

    print("1. 200 logins at once from 200 addresses, unknown names")
    with concurrent.futures.ThreadPoolExecutor(200) as pool:
        statuses = list(
            pool.map(lambda i: login(f"nobody{i}", "Guess12345", f"127.0.9.{i % 250 + 1}"), range(200))
        )
    peak = max(peak, rss_mib())
    counts = {s: statuses.count(s) for s in set(statuses)}
    check(set(statuses) <= {401, 429, 503}, f"every login answered 401, 429 or 503: {counts}")
    check(rss_mib() - base_rss < 300, f"memory after the flood: {rss_mib()} MiB")

    print("2. one address guessing passwords")
    seen = [login("volunteer", f"Guess{i}x1", "127.0.8.1") for i in range(30)]
    check(429 in seen, "the address is throttled (429)")
    check(login("volunteer", PASSWORD, "127.0.8.2") == 303, "the owner, elsewhere, still signs in")

    print("3. killer spreadsheets")
    resident = token("resident")
    county = token("tunxi")
    for path in ["/api/v1/organizations/import", "/api/v1/social-workers/import",
                 "/api/v1/volunteers/import", "/api/v1/service-records/import"]:
        s, _, _ = request("POST", path + "?filename=x.xlsx", far_corner_xlsx(),
                          {"Authorization": f"Bearer {resident}"})
        check(s == 403, f"a resident's upload to {path} is refused before parsing ({s})")
    started = time.time()
    s, _, body = request("POST", "/api/v1/organizations/import?filename=corner.xlsx",
                         far_corner_xlsx(), {"Authorization": f"Bearer {county}"})
    check(s == 422 and "列" in body.decode(), f"the far-corner sheet is refused ({s})")
    bomb = bomb_xlsx()
    s, _, body = request("POST", "/api/v1/social-workers/import?filename=bomb.xlsx", bomb,
                         {"Authorization": f"Bearer {county}"})
    took = time.time() - started
    peak = max(peak, rss_mib())
    check(s == 422 and "解压后超过" in body.decode(),
          f"a {len(bomb) // 1024} KB file inflating to 1 GiB is refused ({s}) in {took:.1f} s")
    check(rss_mib() - base_rss < 300, f"memory after the files: {rss_mib()} MiB")

    print("4. NUL characters")
    s, _, _ = request("GET", "/login")
    s, _, _ = request("POST", "/login", "login=a%00b&password=x",
                      {"Content-Type": "application/x-www-form-urlencoded"})
    check(s in (400, 403), f"NUL in the login form is no 500 ({s})")
    need = json.dumps({"community": "341002002001", "priority_group": "special_elderly",
                       "channel": "online", "title": "午餐\u0000", "description": "独居老人午餐无人照料"})
    s, h, body = request("POST", "/api/v1/needs", need,
                         {"Authorization": f"Bearer {resident}", "Content-Type": "application/json"})
    check(s == 400 and json.loads(body).get("code") == "invalid_text", f"NUL in JSON: {s}")

    print("5. huge money")
    fund = json.dumps({"area": "341002", "name": "溢出资金", "source": "special", "year": "2027",
                       "budget": "92233720368547758.07"})
    s, _, _ = request("POST", "/api/v1/funds", fund,
                      {"Authorization": f"Bearer {county}", "Content-Type": "application/json"})
    check(s == 422, f"an amount past the bound is refused ({s})")

    print("6. 1,100 idle sockets from one client")
    idle = []
    for _ in range(1100):
        try:
            idle.append(socket.create_connection((HOST, PORT), timeout=5))
        except OSError:
            break
    time.sleep(0.5)
    s, _, _ = request("GET", "/healthz", source="127.0.7.7")
    check(s == 200, f"another client is served while one holds {len(idle)} sockets ({s})")
    for sock in idle:
        sock.close()

    print("7. 2,000 writers that hang up mid-request")
    body = need.replace("\\u0000", "")

    def vanish(i):
        try:
            sock = socket.create_connection((HOST, PORT), timeout=5)
            req = (f"POST /api/v1/needs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {resident}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body.encode())}\r\n\r\n{body}")
            sock.sendall(req.encode())
            time.sleep((i % 30) / 10_000)
            sock.close()
        except OSError:
            pass

    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        list(pool.map(vanish, range(2000)))
    deadline = time.time() + 20
    while time.time() < deadline and request("GET", "/readyz")[0] != 200:
        time.sleep(0.1)
    started = time.time()
    s, _, _ = request("POST", "/api/v1/needs", body,
                      {"Authorization": f"Bearer {resident}", "Content-Type": "application/json"},
                      timeout=15)
    check(s == 201 and time.time() - started < 2, f"a write right after: {s} in {time.time() - started:.2f} s")

    print("8. the service afterwards")
    check(request("GET", "/readyz")[0] == 200, "ready")
    check(login("community", PASSWORD, "127.0.6.1") == 303, "a person signs in")
    peak = max(peak, rss_mib())
    print(f"server memory: start {base_rss} MiB, peak seen {peak} MiB, end {rss_mib()} MiB")
    check(peak - base_rss < 400, "memory stayed bounded")
    if failures:
        print(f"{len(failures)} hostile-input check(s) failed")
        sys.exit(1)
    print("the hostile-input suite passed")


main()
