"""E-mail in the outbox preview (``outbox/index.html``): each mail as the reader sees it.

The outbox-mode adapter writes mails into a Maildir (``outbox/maildir/new``); each one
is drawn here in a sandboxed frame (no scripts), its HTML part or else its text part.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html import escape
from pathlib import Path

__all__ = ["CSS", "sections"]

# The frame is sized to the mail by _FIT once it loads; this height is for no script.
CSS = ".email iframe{width:100%;height:2400px;border:0;display:block}"

# The frame's own document cannot run scripts (sandbox); this page measures it instead, which
# allow-same-origin permits, and sets the frame to the mail's full height.
_FIT = "this.style.height=this.contentDocument.documentElement.scrollHeight+'px'"


def sections(outbox: Path) -> list[str]:
    """One page section per mail in ``outbox/maildir/new``, in file order."""
    folder = outbox / "maildir" / "new"
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return [_email(p) for p in files if p.is_file()]


def _email(path: Path) -> str:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("html", "plain"))
    content = part.get_content() if part is not None else ""
    if part is not None and part.get_content_type() == "text/plain":
        content = f"<pre>{escape(content)}</pre>"
    return (
        f'<section class="msg email"><h2>E-mail to {escape(str(message["To"] or ""))}</h2>'
        f'<div class="meta">Subject: {escape(str(message["Subject"] or ""))}<br>'
        f"File: maildir/new/{escape(path.name)}</div>"
        # sandbox without allow-scripts: the mail's HTML cannot run anything in this page.
        f'<iframe sandbox="allow-same-origin" onload="{_FIT}" title="The e-mail" '
        f'srcdoc="{escape(content, quote=True)}"></iframe></section>'
    )
