/* The body picture and the region checkboxes kept in step, both ways.
   A paired region's two parts (right, left) map to its side select: one part → that side,
   both → bilateral, a ticked box with side unknown → both parts "mixed". */
"use strict";
window.DystoniaPicker = {
  init() {
    const svg = document.querySelector("svg.body-picker");
    if (!svg) return;
    const parts = [...svg.querySelectorAll(".bp-part")];
    const box = (region) => document.getElementById(`region-${region}`);
    const sideSel = (region) => document.getElementById(`side-${region}`);
    const partsOf = (region) => parts.filter((p) => p.dataset.region === region);
    const fire = (el) => el.dispatchEvent(new Event("change", { bubbles: true }));

    const fromForm = (region) => {
      const b = box(region);
      if (!b) return;
      const mine = partsOf(region);
      const sel = sideSel(region);
      mine.forEach((p) => {
        let state = "false";
        if (b.checked) {
          if (!p.dataset.side) state = "true";
          else if (!sel || !sel.value) state = "mixed";
          else if (sel.value === "bilateral" || sel.value === p.dataset.side) state = "true";
        }
        p.setAttribute("aria-checked", state);
      });
    };

    const toggle = (p) => {
      const region = p.dataset.region;
      const b = box(region);
      if (!b) return;
      if (!p.dataset.side) {
        b.checked = p.getAttribute("aria-checked") !== "true";
      } else {
        const sel = sideSel(region);
        const on = new Set(partsOf(region).filter((x) => x.getAttribute("aria-checked") === "true")
          .map((x) => x.dataset.side));
        if (p.getAttribute("aria-checked") === "true") on.delete(p.dataset.side);
        else if (p.getAttribute("aria-checked") === "mixed") { on.clear(); on.add(p.dataset.side); }
        else on.add(p.dataset.side);
        b.checked = on.size > 0;
        if (sel) sel.value = on.size === 2 ? "bilateral" : on.size === 1 ? [...on][0] : "";
        if (sel) fire(sel);
      }
      fromForm(region);
      fire(b);
    };

    parts.forEach((p) => {
      p.addEventListener("click", () => toggle(p));
      p.addEventListener("keydown", (ev) => {
        if (ev.key === " " || ev.key === "Enter") { ev.preventDefault(); toggle(p); }
      });
    });
    const regions = new Set(parts.map((p) => p.dataset.region));
    regions.forEach((region) => {
      const b = box(region);
      if (b) b.addEventListener("change", () => fromForm(region));
      const sel = sideSel(region);
      if (sel) sel.addEventListener("change", () => fromForm(region));
      fromForm(region);
    });
  },
};
