from django.urls import reverse

from connexion.ui.security import POLICY


def test_every_page_forbids_inline_script_and_framing(client, signed_in):
    for response in (
        client.get(reverse("accounts:login")),
        signed_in.get(reverse("people:person_list")),
        signed_in.get("/no-such-page/"),
    ):
        policy = response.headers["Content-Security-Policy"]
        assert policy == POLICY
        directives = dict(part.split(" ", 1) for part in policy.split("; "))
        assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
        assert directives["frame-ancestors"] == "'none'"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_carries_inline_script_or_event_handlers():
    import re
    from pathlib import Path

    import connexion

    root = Path(connexion.__file__).parent
    inline_script = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"(?:application/json|text/plain)\")[^>]*>", re.I
    )
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if inline_script.search(text := path.read_text()) or handler.search(text)
    ]
    assert offenders == []
