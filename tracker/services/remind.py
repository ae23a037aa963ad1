"""Reminders: the todo digests as an iCalendar file of deadlines, or mailed
to each analyst. Standard library only (the calendar is written by hand to
RFC 5545: CRLF lines folded at 75 octets, text escaped)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

UTC = timezone.utc
PRODID = "-//forecast-tracker//remind//EN"


def _escape(text: str) -> str:
    return (str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (never inside a UTF-8 character)."""
    out, current, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def uid(question_id: str) -> str:
    """The event's UID: the same for a question in every file, so that a
    calendar re-importing the file updates the event instead of adding one."""
    return f"deadline-{question_id}@forecast-tracker"


def calendar(digests: list[dict], *, now: datetime | None = None) -> str:
    """One all-day event per question on its deadline day (a question in
    several analysts' digests appears once)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:Forecast deadlines"]
    seen: set[str] = set()
    for digest in digests:
        for group in digest["groups"]:
            for q in group["questions"]:
                if q["id"] in seen:
                    continue
                seen.add(q["id"])
                mine = "-" if q["mine"] is None else (f"{q['mine']:.0%}" if not isinstance(q["mine"], dict) else
                                                      ", ".join(f"{k} {v:.0%}" for k, v in q["mine"].items()))
                median = "hidden" if q["hidden"] else ("-" if q["median"] is None else (
                    f"{q['median']:.0%}" if not isinstance(q["median"], dict) else
                    ", ".join(f"{k} {v:.0%}" for k, v in q["median"].items())))
                desc = f"{q['text']}\nQuestion: {q['id']}\nYour latest: {mine}\nTeam median: {median}"
                if q.get("criteria"):
                    desc += f"\nResolution criteria: {q['criteria']}"
                day = q["deadline"]
                lines += [
                    "BEGIN:VEVENT",
                    f"UID:{uid(q['id'])}",
                    f"DTSTAMP:{stamp}",
                    f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
                    f"DTEND;VALUE=DATE:{(day + timedelta(days=1)).strftime('%Y%m%d')}",
                    f"SUMMARY:{_escape('Forecast deadline: ' + q['text'])}",
                    f"DESCRIPTION:{_escape(desc)}",
                    "TRANSP:TRANSPARENT",
                    "END:VEVENT",
                ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def send_digests(digests: list[dict], *, host: str, port: int, sender: str,
                 render: Callable[[dict], str], timeout: float = 30.0) -> dict:
    """Mail each analyst with an address their digest (one connection).
    Analysts without an address or with nothing to do are skipped, and named."""
    import smtplib
    from email.message import EmailMessage

    from ..errors import TrackerError

    sent, skipped, messages = [], [], []
    for d in digests:
        if not d.get("email"):
            skipped.append(f"{d['analyst']}: no e-mail address (tracker analyst set {d['analyst']} --email ADDR)")
            continue
        if not any(g["questions"] for g in d["groups"]):
            skipped.append(f"{d['analyst']}: nothing to do")
            continue
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = d["email"]
        count = sum(len(g["questions"]) for g in d["groups"])
        msg["Subject"] = f"Forecasts to make or update: {count} question{'s' if count != 1 else ''}"
        msg.set_content(render(d) + "\n")
        messages.append((d, msg))
    if messages:
        try:
            with smtplib.SMTP(host, port, timeout=timeout) as smtp:
                for d, msg in messages:
                    smtp.send_message(msg)
                    sent.append(d["analyst"])
        except (OSError, smtplib.SMTPException) as exc:
            raise TrackerError(f"cannot send mail through {host}:{port}: {exc}") from None
    return {"sent": sent, "skipped": skipped}
