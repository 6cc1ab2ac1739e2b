"""Text messages for phone codes: the outbox file backend by default, and the
HTTP gateway backend when SMS_GATEWAY_URL is set (against a real local server)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from connexion.lib import sms


class Gateway(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self):  # the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append(
            {"auth": self.headers.get("Authorization"), "body": json.loads(body)}
        )
        self.send_response(Gateway.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "msg-1"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    Gateway.received = []
    Gateway.status = 200
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()
    server.server_close()


def test_the_default_backend_writes_to_the_data_folders_outbox(settings, tmp_path):
    settings.SMS_BACKEND = ""
    settings.SMS_GATEWAY_URL = ""
    settings.SMS_FILE_PATH = None
    settings.DATA_DIR = tmp_path
    name = sms.send_sms("+66812345678", "รหัสของท่านคือ 123456")
    written = (tmp_path / "outbox" / name).read_text()
    assert written.startswith("To: +66812345678\n")
    assert written.endswith("\n\nรหัสของท่านคือ 123456\n")


def test_a_gateway_url_sends_through_http_with_the_token(settings, gateway):
    settings.SMS_BACKEND = ""
    settings.SMS_GATEWAY_URL = gateway
    settings.SMS_GATEWAY_TOKEN = "s3cret"
    assert sms.send_sms("+66812345678", "code 123456") == "msg-1"
    assert Gateway.received == [
        {"auth": "Bearer s3cret", "body": {"to": "+66812345678", "text": "code 123456"}}
    ]


def test_a_gateway_that_refuses_is_an_error_that_says_so(settings, gateway):
    settings.SMS_BACKEND = ""
    settings.SMS_GATEWAY_URL = gateway
    Gateway.status = 503
    with pytest.raises(sms.SmsError, match="did not take the message"):
        sms.send_sms("+66812345678", "code")
    settings.SMS_GATEWAY_URL = "ftp://example.com"
    with pytest.raises(sms.SmsError, match="http"):
        sms.send_sms("+66812345678", "code")
