"""The report as one self-contained HTML page: works offline, reads well on a phone.

:func:`render_html` turns the report document (``fonder.report/1``, optionally with the
coach's ``headline``, ``top_actions``, ``safety``, ``findings`` and ``plan``) into a single
file: the page, its CSS and Plotly's JavaScript are all inlined, nothing is fetched from
anywhere (a Content-Security-Policy in the page forbids it too). Renders only: every number
comes from the document; the charts are the document's series, drawn.

Share a copy made from :func:`fonder.report.redact.redact`: names become "You"/"Them" and
message texts are hidden.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import jinja2
from markupsafe import Markup

from fonder.report.terminal import duration, percent

TEMPLATES: Final[Path] = Path(__file__).parent / "templates"

#: One colour per person, the same in every chart and in the chat bubbles.
ME_COLOR: Final[str] = "#c4553b"
THEM_COLOR: Final[str] = "#2f7585"
MARK_COLOR: Final[str] = "#8c6a2f"
THRESHOLD_COLOR: Final[str] = "#b0462f"
EVEN_COLOR: Final[str] = "#9b8f83"
FONT: Final[str] = (
    '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"Noto Sans", "Liberation Sans", sans-serif'
)

#: Plotly's options for every chart: no logo, no links to Plotly's cloud, resizes with the page.
PLOTLY_CONFIG: Final[dict[str, Any]] = {
    "displaylogo": False,
    "responsive": True,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "zoom2d", "pan2d", "zoomIn2d",
                               "zoomOut2d", "autoScale2d", "resetScale2d"],
    "toImageButtonOptions": {"format": "png", "filename": "fonder-chart", "scale": 2},
}

SEVERITY_WORDS: Final[dict[str, str]] = {
    "high": "Needs attention",
    "medium": "Worth a look",
    "low": "A small signal",
    "info": "Good to know",
}

TREND_WORDS: Final[dict[str, tuple[str, str]]] = {
    "up": ("↗", "more than before"),
    "down": ("↘", "less than before"),
    "steady": ("→", "about the same as before"),
    "unknown": ("·", "too early to see a trend"),
}

#: How each platform spells its own name.
PLATFORM_NAMES: Final[dict[str, str]] = {
    "whatsapp": "WhatsApp",
    "imessage": "iMessage",
    "instagram": "Instagram",
    "messenger": "Messenger",
    "telegram": "Telegram",
    "signal": "Signal",
    "sms": "SMS",
    "discord": "Discord",
    "snapchat": "Snapchat",
    "line": "LINE",
    "googlechat": "Google Chat",
}

SAFETY_LABEL_WORDS: Final[dict[str, str]] = {
    "threat": "threats",
    "insult": "insults",
    "control": "attempts to control you",
    "jealousy": "suspicious jealousy",
}


def render_html(doc: dict[str, Any]) -> str:
    """The report document as one self-contained HTML page."""
    chat = doc.get("chat") or {}
    sig = doc.get("signals") or {}
    me_name = chat.get("me") or "You"
    them = chat.get("them") or "Them"
    messages = chat.get("messages") or {}
    total = int(messages.get("me") or 0) + int(messages.get("them") or 0)
    charts = chart_specs(sig, them) if total else []
    return _environment().get_template("report.html.j2").render(
        chat=chat,
        me_name=me_name,
        them=them,
        total=total,
        redacted=bool(doc.get("redacted")),
        headline=doc.get("headline"),
        top_actions=list(doc.get("top_actions") or [])[:3],
        safety=doc.get("safety"),
        findings=sorted(doc.get("findings") or [], key=lambda f: f.get("rank") or 0),
        plan=doc.get("plan"),
        glance=glance(sig) if total else [],
        charts=charts,
        charts_json=_script_json({c["id"]: {"data": c["data"], "layout": c["layout"]} for c in charts}),
        config_json=_script_json(PLOTLY_CONFIG),
        plotly_js=Markup(plotly_js()) if charts else "",
        severity_words=SEVERITY_WORDS,
        trend_words=TREND_WORDS,
        safety_label_words=SAFETY_LABEL_WORDS,
    )


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """Plotly's JavaScript bundle, inlined once per page (no CDN)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        duration=duration,
        percent=percent,
        day=day,
        span=span,
        when=when,
        number=number,
        platform=lambda p: PLATFORM_NAMES.get(str(p), str(p)),
    )
    return env


def _script_json(value: Any) -> Markup:
    """JSON safe inside a ``<script>`` element (no ``</script>``, no HTML comment openers)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


# --------------------------------------------------------------------------------------------
# Words and numbers as a person reads them
# --------------------------------------------------------------------------------------------


def _parse(value: str | date | datetime | None) -> datetime | date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def day(value: str | date | datetime | None, year: bool = True) -> str:
    """'3 Aug 2026' (or '3 Aug')."""
    d = _parse(value)
    if d is None:
        return "—"
    return f"{d.day} {d:%b %Y}" if year else f"{d.day} {d:%b}"


def span(first: str | date | None, last: str | date | None) -> str:
    """'1 May – 29 Oct 2026', the year said once when both ends share it."""
    a, b = _parse(first), _parse(last)
    if a is None or b is None:
        return "—"
    if a.year == b.year:
        return f"{day(a, year=False)} – {day(b)}"
    return f"{day(a)} – {day(b)}"


def when(value: str | None) -> str:
    """A message's time in the chat's own clock: 'Sat 4 Oct 2026, 21:34'."""
    d = _parse(value)
    if d is None:
        return ""
    if not isinstance(d, datetime):
        return day(d)
    return f"{d:%a} {d.day} {d:%b %Y}, {d:%H:%M}"


def number(n: int | float | None) -> str:
    """1,234 (or — when unknown)."""
    if n is None:
        return "—"
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


def glance(sig: dict[str, Any]) -> list[dict[str, Any]]:
    """The few numbers shown side by side near the top: (label, mine, theirs)."""
    rows: list[dict[str, Any]] = []
    conv = sig.get("conversations") or {}
    if conv.get("started_by"):
        rows.append({"label": "Conversations started", "me": number(conv["started_by"].get("me")),
                     "them": number(conv["started_by"].get("them"))})
    lat = sig.get("latency_s") or {}
    if lat.get("me") or lat.get("them"):
        rows.append({"label": "Usual reply time",
                     "me": duration((lat.get("me") or {}).get("median")),
                     "them": duration((lat.get("them") or {}).get("median"))})
    fu = sig.get("follow_ups") or {}
    if fu.get("me") or fu.get("them"):
        rows.append({"label": "Messages sent again before a reply",
                     "me": number((fu.get("me") or {}).get("count")),
                     "them": number((fu.get("them") or {}).get("count"))})
    lg = sig.get("longing") or {}
    if lg.get("status") == "ok":
        rows.append({"label": "“I miss you” and the like", "me": number(lg.get("me")),
                     "them": number(lg.get("them"))})
    return rows


# --------------------------------------------------------------------------------------------
# Charts: the document's series as Plotly specs (data + layout), no computing
# --------------------------------------------------------------------------------------------


def _minutes(seconds: list[float | None]) -> list[float | None]:
    return [None if s is None else round(s / 60.0, 1) for s in seconds]


def _layout(y_title: str, *, y_percent: bool = False, x_months: bool = False) -> dict[str, Any]:
    return {
        "height": 270 if x_months else 260,
        "autosize": True,
        "margin": {"l": 46, "r": 10, "t": 24, "b": 34},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "size": 12, "color": "#5a5047"},
        "showlegend": False,
        "hovermode": "x unified",
        "hoverlabel": {"bgcolor": "#fffdf9", "bordercolor": "#e4d8ca", "font": {"family": FONT}},
        "bargap": 0.25,
        "bargroupgap": 0.08,
        "xaxis": {
            "type": "date",
            "fixedrange": True,
            "automargin": True,
            "showgrid": False,
            "linecolor": "#d9cbbb",
            "ticks": "outside",
            "tickcolor": "#d9cbbb",
            "hoverformat": "%B %Y" if x_months else "week of %-d %b %Y",
            **({"tickformat": "%b<br>%Y", "ticklabelmode": "period", "tickangle": 0} if x_months
               else {"tickformat": "%-d %b"}),
        },
        "yaxis": {
            "title": {"text": y_title, "font": {"size": 11}},
            "fixedrange": True,
            "rangemode": "tozero",
            "gridcolor": "#efe5da",
            "zeroline": False,
            "automargin": True,
            **({"tickformat": ".0%", "range": [0, 1]} if y_percent else {}),
        },
        "shapes": [],
        "annotations": [],
    }


def _line(name: str, x: list[Any], y: list[Any], color: str, *, hover: str) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": x,
        "y": y,
        "line": {"color": color, "width": 2.5},
        "marker": {"color": color, "size": 5},
        "connectgaps": False,
        "hovertemplate": hover + "<extra></extra>",
    }


def _bars(name: str, x: list[Any], y: list[Any], color: str, *, hover: str) -> dict[str, Any]:
    return {
        "type": "bar",
        "name": name,
        "x": x,
        "y": y,
        "marker": {"color": color, "line": {"width": 0}},
        "hovertemplate": hover + "<extra></extra>",
    }


def _mark_changes(layout: dict[str, Any], change_points: list[str]) -> None:
    """A dashed vertical line at each week where his pattern changed."""
    for cp in change_points:
        layout["shapes"].append({
            "type": "line", "xref": "x", "yref": "paper", "x0": cp, "x1": cp, "y0": 0, "y1": 1,
            "line": {"color": MARK_COLOR, "width": 1.5, "dash": "dash"},
        })
        layout["annotations"].append({
            "x": cp, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom", "xanchor": "left",
            "text": f"change · {day(cp, year=False)}", "showarrow": False,
            "font": {"size": 11, "color": MARK_COLOR},
        })


def _hline(layout: dict[str, Any], y: float, *, dash: str, color: str) -> None:
    """A horizontal reference line (its meaning goes in the chart's legend)."""
    layout["shapes"].append({
        "type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": y, "y1": y,
        "layer": "below", "line": {"color": color, "width": 1.5, "dash": dash},
    })


def _key(name: str, color: str, style: str = "solid") -> dict[str, str]:
    """One entry of a chart's legend (drawn in the page, above the chart)."""
    return {"name": name, "color": color, "style": style}


def _partial_note(days: list[int]) -> str | None:
    if not days:
        return None
    parts = []
    if days[0] < 7:
        parts.append(f"the first week has {days[0]} day{'s' if days[0] != 1 else ''} of messages")
    if len(days) > 1 and days[-1] < 7:
        parts.append(f"the last week has {days[-1]} day{'s' if days[-1] != 1 else ''}")
    if not parts:
        return None
    text = " and ".join(parts)
    return text[0].upper() + text[1:] + ", so their counts are lower."


def chart_specs(sig: dict[str, Any], them: str) -> list[dict[str, Any]]:
    """The report's charts, each ``{id, title, caption, notes, legend, data, layout}``."""
    out: list[dict[str, Any]] = []
    weekly = sig.get("weekly") or {}
    weeks = list(weekly.get("weeks") or [])
    me_w, them_w = weekly.get("me") or {}, weekly.get("them") or {}
    pa = sig.get("pull_away") or {}
    cps = list(pa.get("change_points") or []) if pa.get("status") == "ok" else []
    cp_note = (
        f"Dashed line: the week fonder found a change in {them}'s pattern "
        f"({', '.join(day(c) for c in cps)})." if cps else None
    )
    partial = _partial_note(list(weekly.get("days") or []))
    legend = [_key("You", ME_COLOR), _key(them, THEM_COLOR)]

    if weeks and (me_w.get("messages") or them_w.get("messages")):
        lay = _layout("messages")
        _mark_changes(lay, cps)
        out.append({
            "id": "chart-messages",
            "title": "Messages each week",
            "caption": "How many messages each of you sent, week by week.",
            "notes": [n for n in (cp_note, partial) if n],
            "legend": legend,
            "data": [
                _line("You", weeks, me_w.get("messages") or [], ME_COLOR, hover="You: %{y}"),
                _line(them, weeks, them_w.get("messages") or [], THEM_COLOR, hover=f"{_h(them)}: %{{y}}"),
            ],
            "layout": lay,
        })

    if weeks and (me_w.get("latency_median_s") or them_w.get("latency_median_s")):
        lay = _layout("minutes")
        _mark_changes(lay, cps)
        out.append({
            "id": "chart-latency",
            "title": "How long replies take",
            "caption": (
                "The usual time (median) each of you took to answer the other, week by week, in "
                f"minutes. {them} is compared only with his own earlier weeks, never with a norm."
            ),
            "notes": [n for n in (cp_note,) if n],
            "legend": legend,
            "data": [
                _line("You", weeks, _minutes(me_w.get("latency_median_s") or []), ME_COLOR,
                      hover="You: %{y} min"),
                _line(them, weeks, _minutes(them_w.get("latency_median_s") or []), THEM_COLOR,
                      hover=f"{_h(them)}: %{{y}} min"),
            ],
            "layout": lay,
        })

    if weeks and (me_w.get("starts") or them_w.get("starts")):
        lay = _layout("conversations")
        lay["barmode"] = "group"
        _mark_changes(lay, cps)
        out.append({
            "id": "chart-starts",
            "title": "Who starts conversations",
            "caption": "How many conversations each of you started each week: who wrote first "
                       "after a long quiet.",
            "notes": [n for n in (cp_note, partial) if n],
            "legend": legend,
            "data": [
                _bars("You", weeks, me_w.get("starts") or [], ME_COLOR, hover="You: %{y}"),
                _bars(them, weeks, them_w.get("starts") or [], THEM_COLOR, hover=f"{_h(them)}: %{{y}}"),
            ],
            "layout": lay,
        })

    bal = sig.get("balance") or {}
    bal_weeks = [w for w in bal.get("weekly") or [] if w.get("week")]
    if bal_weeks and any(w.get("composite") is not None for w in bal_weeks):
        threshold = bal.get("threshold", 0.65)
        lay = _layout("your share", y_percent=True)
        _hline(lay, 0.5, dash="dot", color=EVEN_COLOR)
        _hline(lay, threshold, dash="dash", color=THRESHOLD_COLOR)
        _mark_changes(lay, cps)
        parts = _component_words(bal.get("used") or list((bal.get("components") or {}).keys()))
        out.append({
            "id": "chart-balance",
            "title": "Who puts in the effort",
            "caption": (
                "Your share of the effort between you each week"
                + (f" ({parts})" if parts else "")
                + f". 50% is even; above {percent(threshold)} it is one-sided."
            ),
            "notes": [n for n in (cp_note,) if n],
            "legend": [_key("Your share", ME_COLOR),
                       _key(f"one-sided above {percent(threshold)}", THRESHOLD_COLOR, "dash"),
                       _key("even", EVEN_COLOR, "dot")],
            "data": [
                _line("Your share", [w["week"] for w in bal_weeks],
                      [w.get("composite") for w in bal_weeks], ME_COLOR,
                      hover="Your share: %{y:.0%}"),
            ],
            "layout": lay,
        })

    lg = sig.get("longing") or {}
    months = lg.get("per_month") or []
    if lg.get("status") == "ok" and months:
        lay = _layout("times", x_months=True)
        lay["barmode"] = "group"
        if len(months) <= 12:  # one label per month while they fit a phone's width
            lay["xaxis"]["dtick"] = "M1"
        x = [m["month"] for m in months]
        monthly = {"xperiod": "M1", "xperiodalignment": "middle"}
        out.append({
            "id": "chart-longing",
            "title": "Saying “I miss you”",
            "caption": (
                "How often each of you wrote that you miss the other, wish they were there, or "
                "can't wait to see them, month by month."
            ),
            "notes": [],
            "legend": legend,
            "data": [
                _bars("You", x, [m.get("me") for m in months], ME_COLOR, hover="You: %{y}") | monthly,
                _bars(them, x, [m.get("them") for m in months], THEM_COLOR,
                      hover=f"{_h(them)}: %{{y}}") | monthly,
            ],
            "layout": lay,
        })
    return out


_COMPONENT_WORDS: Final[dict[str, str]] = {
    "starts": "starting conversations",
    "messages": "messages",
    "words": "words",
    "questions": "questions",
    "follow_ups": "follow-ups",
    "plans": "plans",
    "affection": "affection",
    "appreciation": "thanks",
}


def _component_words(used: list[str]) -> str:
    words = [_COMPONENT_WORDS.get(u, u.replace("_", " ")) for u in used]
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _h(text: str) -> str:
    """A name safe inside a Plotly hover template (which reads %{…} and HTML-like tags)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("{", "&#123;").replace("}", "&#125;"))
