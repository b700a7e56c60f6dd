"""A clickable body picture for the forms: choose regions and sides by pointing at them.

Why: "right arm and left leg" is quicker to point at than to find in a list, and the side is
part of the choice (the laterality check reads it). Each part is an SVG element with
``role="checkbox"``, a name ("right arm"), ``tabindex="0"`` and ``aria-checked``, so it
works with a keyboard (Tab, then Space or Enter) and a screen reader; the ordinary checkboxes
stay beside it, and the page keeps the two in step (static/body_picker.js). Same drawing
as the report's body map (render/body_map.py): front view, the person's right on the left.
"""

from __future__ import annotations

from html import escape

from dystonia_cds.render.body_map import _DRAW_ORDER, _MIDLINE, _PAIRED

__all__ = ["body_picker_svg"]

# Small parts drawn inside bigger ones are moved off their container's centre, so a click in
# the middle of the neck or the lower face chooses the neck or the lower face.
_MOVED: dict[str, tuple[float, ...]] = {"larynx": (100, 110, 5, 3), "tongue": (100, 82.5, 5, 2)}

_STYLE = ("<style>.bp-part{fill:#f4f4f4;stroke:#555;stroke-width:1.2;cursor:pointer}"
          ".bp-part[aria-checked=true]{fill:#7b3294;stroke:#3f1050}"
          ".bp-part[aria-checked=mixed]{fill:#d9bfe6;stroke:#3f1050;stroke-dasharray:3 2}"
          ".bp-part:focus{stroke:#f0a000;stroke-width:4;outline:none}"
          ".bp-part:hover{stroke:#f0a000}"
          "text{font-family:sans-serif;font-size:12px;font-weight:bold;fill:#222}</style>")


def body_picker_svg(labels: dict[str, str], svg_id: str = "body-picker") -> str:
    """The picker; ``labels`` maps region id → the words the form uses for it."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="20 40 160 290" '
           f'class="body-picker" id="{svg_id}" role="group" aria-labelledby="{svg_id}-t">',
           f'<title id="{svg_id}-t">Body picture: choose the affected parts</title>', _STYLE,
           '<circle cx="100" cy="72" r="26" fill="#fafafa" stroke="#999" aria-hidden="true"/>']

    def part(kind: str, g: tuple[float, ...], region: str, side: str) -> str:
        name = f"{side} {labels.get(region, region)}" if side else labels.get(region, region)
        attrs = (f'class="bp-part" role="checkbox" tabindex="0" aria-checked="false" '
                 f'aria-label="{escape(name)}" data-region="{region}" data-side="{side}"')
        if kind == "e":
            cx, cy, rx, ry = g
            return (f'<ellipse cx="{cx}" cy="{cy}" rx="{rx}" ry="{ry}" '
                    f'{attrs}><title>{escape(name)}</title></ellipse>')
        x, y, w, h = g
        return (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="7" {attrs}>'
                f"<title>{escape(name)}</title></rect>")

    for region in _DRAW_ORDER:  # containers first, small parts (tongue, larynx) on top
        kind, g = _MIDLINE[region]
        out.append(part(kind, _MOVED.get(region, g), region, ""))
    for region, by_side in _PAIRED.items():
        for side in ("right", "left"):
            out.append(part("r", by_side[side], region, side))
    out.append('<text x="30" y="110" aria-hidden="true">R</text>'
               '<text x="160" y="110" aria-hidden="true">L</text>')
    out.append("</svg>")
    return "".join(out)
