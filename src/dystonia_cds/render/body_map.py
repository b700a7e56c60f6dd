"""SVG body map: where the dystonia is, on which side, and where the brain lesion is.

Why a figure: the laterality check (a hemispheric lesion gives dystonia on the *opposite* side
of the body) and the anatomy check (a peripheral injury at the site that became dystonic) are
read at a glance from a picture. The figure and the brain are both drawn as seen from the
front, so the patient's right is on the viewer's left, and both are labelled R and L.
The SVG carries a <title> and a <desc> with the same facts in words, for screen readers.
"""

from __future__ import annotations

from html import escape

from dystonia_cds.case import Case

# shape per region: (kind, geometry) — kind 'e' ellipse (cx, cy, rx, ry), 'r' rect (x, y, w, h)
_MIDLINE: dict[str, tuple[str, tuple[float, ...]]] = {
    "upper_face": ("e", (100, 62, 17, 6)),
    "lower_face": ("e", (100, 79, 13, 5)),
    "jaw": ("e", (100, 90, 11, 4)),
    "tongue": ("e", (100, 79, 4, 2.5)),
    "neck": ("r", (90, 96, 20, 18)),
    "larynx": ("e", (100, 105, 4, 5)),
    "trunk": ("r", (72, 114, 56, 92)),
}
# paired regions by the patient's side: right is drawn on the viewer's left
_PAIRED: dict[str, dict[str, tuple[float, float, float, float]]] = {
    "arm": {"right": (52, 116, 16, 104), "left": (132, 116, 16, 104)},
    "leg": {"right": (76, 206, 22, 120), "left": (102, 206, 22, 120)},
}
_HEMISPHERE = {"right": (206, 66), "left": (254, 66)}
_DRAW_ORDER = ("trunk", "neck", "larynx", "upper_face", "lower_face", "jaw", "tongue")

_DEFS = """<defs>
<pattern id="bm-hatch" width="6" height="6" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><rect width="6" height="6" fill="#e9d8f2"/>
<line x1="0" y1="0" x2="0" y2="6" stroke="#7b3294" stroke-width="3"/></pattern>
<pattern id="bm-lesion-hatch" width="6" height="6" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde0dd"/>
<line x1="0" y1="0" x2="0" y2="6" stroke="#d7301f" stroke-width="3"/></pattern>
</defs>"""

_STYLE = ("<style>.bm-outline{fill:#f4f4f4;stroke:#555;stroke-width:1.2}"
          ".bm-on{fill:#7b3294;stroke:#3f1050;stroke-width:1.2}"
          ".bm-unsided{fill:url(#bm-hatch);stroke:#3f1050;stroke-width:1.2}"
          ".bm-lesion{fill:#d7301f;stroke:#67000d;stroke-width:1.5}"
          ".bm-lesion-unsided{fill:url(#bm-lesion-hatch);stroke:#67000d}"
          ".bm-brain{fill:#f4f4f4;stroke:#555;stroke-width:1.2}"
          ".bm-site{fill:#ff9f1c;stroke:#7a4a00;stroke-width:1.2}"
          "text{font-family:sans-serif;font-size:10px;fill:#222}"
          ".bm-side{font-weight:bold;font-size:12px}</style>")


def _shape(kind: str, g: tuple[float, ...], cls: str, label: str) -> str:
    title = f"<title>{escape(label)}</title>"
    if kind == "e":
        cx, cy, rx, ry = g
        return (f'<ellipse cx="{cx}" cy="{cy}" rx="{rx}" ry="{ry}" class="{cls}">'
                f"{title}</ellipse>")
    x, y, w, h = g
    return (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="7" class="{cls}">'
            f"{title}</rect>")


def _centre(region: str, side: str | None) -> tuple[float, float] | None:
    if region in _MIDLINE:
        kind, g = _MIDLINE[region]
        return (g[0], g[1]) if kind == "e" else (g[0] + g[2] / 2, g[1] + g[3] / 2)
    if region in _PAIRED:
        x, y, w, h = _PAIRED[region][side if side in ("left", "right") else "right"]
        return x + w / 2, y + h / 2
    return None


def _region_state(case: Case) -> dict[tuple[str, str], str]:
    """(region, side or '') → 'on' (side known) or 'unsided' (paired, side not recorded)."""
    state: dict[tuple[str, str], str] = {}
    for r in case.dystonia.regions:
        if r.region in _PAIRED:
            sides = ["left", "right"] if r.side in (None, "bilateral") else [r.side]
            for s in sides:
                new = "unsided" if r.side is None else "on"
                if state.get((r.region, s)) != "on":
                    state[(r.region, s)] = new
        else:
            state[(r.region, "")] = "on"
    return state


def _lesion_sides(case: Case) -> dict[str, list[str]]:
    """Hemisphere → what is known there, from imaging lesions and central events."""
    out: dict[str, list[str]] = {}
    for im in case.imaging or []:
        for les in im.lesions:
            side = les.side or "unknown"
            for s in (["left", "right"] if side == "bilateral" else [side]):
                out.setdefault(s, []).append(les.structure.replace("_", " "))
    if not out:
        for ev in case.events or []:
            if ev.type in ("stroke", "head_injury", "brain_tumor", "brain_surgery") and ev.side:
                for s in (["left", "right"] if ev.side == "bilateral" else [ev.side]):
                    out.setdefault(s, []).append(ev.type.replace("_", " "))
    return out


# The words of the figure; ``plain`` is the patient report's (no "lesion", no "hemisphere").
_WORDS = {
    False: {"title": "Body map (front view)", "brain": "Brain (front view)",
            "hemisphere": "{side} hemisphere", "lesion": "brain lesion",
            "site": "injury or procedure site", "unsided": "dystonia, side unknown",
            "unspecified": "region not specified", "site_title": "{what} site"},
    True: {"title": "Picture of the body (front view)", "brain": "Brain (front view)",
           "hemisphere": "{side} side of the brain", "lesion": "damage in the brain",
           "site": "where the injury or treatment was", "unsided": "dystonia, side not known",
           "unspecified": "place not given",
           "site_title": "where the injury or treatment was"},
}


def _describe_plain(case: Case, lesions: dict[str, list[str]], sites: list[str]) -> str:
    parts = [f"{r.side} {r.region.replace('_', ' ')}" if r.side else r.region.replace("_", " ")
             for r in case.dystonia.regions]
    text = "Dystonia: " + ", ".join(parts) + "."
    for side in sorted(lesions):
        if side == "unknown":
            text += " Damage in the brain, side not known."
        else:
            text += (f" Damage on the {side} side of the brain. Damage on one side of the brain "
                     "usually affects the other side of the body.")
    if sites:
        text += " Where the injury or treatment was: " + ", ".join(sites) + "."
    return text


def _describe(case: Case, lesions: dict[str, list[str]], sites: list[str]) -> str:
    parts = []
    for r in case.dystonia.regions:
        name = r.region.replace("_", " ")
        parts.append(f"{r.side} {name}" if r.side else name)
    text = "Dystonia: " + ", ".join(parts) + "."
    for side, what in sorted(lesions.items()):
        if side == "unknown":
            text += f" Brain lesion, side not recorded ({', '.join(what)})."
        else:
            other = {"left": "right", "right": "left"}[side]
            text += (f" Brain lesion on the {side} ({', '.join(what)}); a brain lesion usually "
                     f"affects the opposite ({other}) side of the body.")
    if sites:
        text += " Injury or procedure site: " + ", ".join(sites) + "."
    return text


def body_map_svg(case: Case, svg_id: str = "body-map", plain: bool = False) -> str:
    """An inline SVG figure for ``case`` (front view; patient's right on the viewer's left).
    ``plain``: the patient report's words in the legend, tooltips and description."""
    words = _WORDS[plain]
    state = _region_state(case)
    lesions = _lesion_sides(case)
    sites = [f"{e.side + ' ' if e.side else ''}{e.body_site.replace('_', ' ')}"
             for e in case.events or [] if e.body_site]
    desc = (_describe_plain if plain else _describe)(case, lesions, sites)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 330 345" role="img" '
           f'class="body-map" id="{svg_id}" aria-labelledby="{svg_id}-t {svg_id}-d">',
           f'<title id="{svg_id}-t">{words["title"]}</title>',
           f'<desc id="{svg_id}-d">{escape(desc)}</desc>', _DEFS, _STYLE,
           '<circle cx="100" cy="72" r="26" class="bm-outline"/>']
    for region in _DRAW_ORDER:
        kind, g = _MIDLINE[region]
        cls = "bm-on" if (region, "") in state else "bm-outline"
        out.append(_shape(kind, g, cls, region.replace("_", " ")))
    for region, by_side in _PAIRED.items():
        for side, g in by_side.items():
            st = state.get((region, side))
            cls = {"on": "bm-on", "unsided": "bm-unsided"}.get(st or "", "bm-outline")
            out.append(_shape("r", g, cls, f"{side} {region}"))
    for ev in case.events or []:
        if ev.body_site and (c := _centre(ev.body_site, ev.side)):
            x, y = c
            out.append(f'<path d="M{x} {y - 7} L{x + 6} {y} L{x} {y + 7} L{x - 6} {y} Z" '
                       f'class="bm-site"><title>'
                       f'{escape(words["site_title"].format(what=ev.type.replace("_", " ")))}'
                       f'</title></path>')
    out.append('<text x="30" y="130" class="bm-side">R</text>'
               '<text x="160" y="130" class="bm-side">L</text>')
    out.append(f'<text x="180" y="22">{words["brain"]}</text>')
    for side, (cx, cy) in _HEMISPHERE.items():
        cls = "bm-lesion" if side in lesions else "bm-brain"
        if "unknown" in lesions and side not in lesions:
            cls = "bm-lesion-unsided"
        out.append(f'<ellipse cx="{cx}" cy="{cy}" rx="23" ry="30" class="{cls}">'
                   f"<title>{words['hemisphere'].format(side=side)}</title></ellipse>")
        out.append(f'<text x="{cx - 4}" y="{cy + 46}" class="bm-side">'
                   f'{side[0].upper()}</text>')
    y = 140
    legend = [("bm-on", "dystonia"), ("bm-unsided", words["unsided"]),
              ("bm-lesion", words["lesion"]), ("bm-site", words["site"])]
    for cls, label in legend:
        out.append(f'<rect x="180" y="{y}" width="12" height="12" class="{cls}"/>'
                   f'<text x="197" y="{y + 10}">{label}</text>')
        y += 18
    if any(r.region == "unspecified" for r in case.dystonia.regions):
        out.append(f'<text x="180" y="{y + 10}">{words["unspecified"]}</text>')
    out.append("</svg>")
    return "".join(out)
