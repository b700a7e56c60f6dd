/* Patient mode: one question (fieldset) at a time; after each answer the engine's
   next_questions decide which unanswered step comes next. */
"use strict";
window.DystoniaSteps = {
  FIELD_STEP: {
    "dystonia.onset": "onset", "dystonia.sensory_trick": "trick",
    "dystonia.persists_in_sleep": "sleep", "dystonia.features": "features",
    "dystonia.course": "course", "dystonia.fixed_posture": "course", "events": "events",
    "events[].before_onset": "events", "events[].body_site": "events",
    "medications": "medications", "imaging": "imaging", "imaging[].lesions[].side": "imaging",
    "family_history.dystonia": "family",
  },
  init(api) {
    const steps = [...document.querySelectorAll(".step")];
    const byName = Object.fromEntries(steps.map((s) => [s.dataset.step, s]));
    const history = [];
    const done = new Set();
    let current = "regions";
    const nextBtn = document.getElementById("next");
    const backBtn = document.getElementById("back");
    const progress = document.getElementById("progress");

    const show = (name, focus) => {
      steps.forEach((s) => { s.hidden = s.dataset.step !== name; });
      current = name;
      backBtn.disabled = history.length === 0;
      const left = steps.filter((s) => !done.has(s.dataset.step) && s.dataset.step !== name).length;
      nextBtn.disabled = false;
      nextBtn.textContent = left ? "Next question" : "Finish";
      progress.textContent = `Question ${history.length + 1} of ${history.length + 1 + left}.`;
      if (focus) byName[name].querySelector("legend").focus();
    };

    const chooseNext = () => {
      const order = [];
      api.questions().forEach((f) => {
        const step = this.FIELD_STEP[f];
        if (step && !order.includes(step)) order.push(step);
      });
      steps.forEach((s) => { if (!order.includes(s.dataset.step)) order.push(s.dataset.step); });
      return order.find((n) => !done.has(n) && n !== current);
    };

    nextBtn.addEventListener("click", async () => {
      if (current === "regions" && !document.querySelector('input[name="region"]:checked')) {
        const box = document.getElementById("errors");
        box.textContent = "Please choose at least one affected body part.";
        box.hidden = false;
        return;
      }
      nextBtn.disabled = true;
      done.add(current);
      await api.askEngine();
      const next = chooseNext();
      if (!next) { document.getElementById("show-report").focus(); nextBtn.disabled = true; return; }
      history.push(current);
      show(next, true);
      document.body.dataset.step = next;
    });
    backBtn.addEventListener("click", () => {
      const prev = history.pop();
      if (prev) { done.delete(prev); show(prev, true); document.body.dataset.step = prev; }
    });
    show("regions", false);
    document.body.dataset.step = "regions";
  },
};

/* Clinician mode: repeatable rows (events, medications, imaging, genetic tests) and
   automatic engine updates after each change. */
window.DystoniaRows = {
  init(api) {
    let counter = 0;
    const addRow = (kind) => {
      const tpl = document.getElementById(`tpl-${kind}`);
      const row = tpl.content.firstElementChild.cloneNode(true);
      const n = counter++;
      const rows = document.getElementById(`rows-${kind}`);
      row.querySelector("legend").textContent += ` ${rows.children.length + 1}`;
      row.querySelectorAll("[id]").forEach((el) => {
        el.dataset.key = el.id;
        el.id = `${kind}-${n}-${el.id}`;
        if (el.getAttribute("aria-describedby")) el.setAttribute("aria-describedby", `${el.id}-hint`);
      });
      row.querySelectorAll("label[for]").forEach((l) => { l.htmlFor = `${kind}-${n}-${l.htmlFor}`; });
      row.querySelectorAll(".hint").forEach((h) => { delete h.dataset.key; });
      row.querySelector(".remove-row").addEventListener("click", () => {
        row.remove(); document.getElementById(`add-${kind}`).focus(); schedule();
      });
      rows.appendChild(row);
      document.getElementById(`none-${kind}`).checked = false;
      row.querySelector("select, input").focus();
      return row;
    };
    document.querySelectorAll(".add-row").forEach((b) => {
      b.addEventListener("click", () => addRow(b.dataset.kind));
    });
    let timer = null;
    const schedule = () => { clearTimeout(timer); timer = setTimeout(api.askEngine, 300); };
    document.getElementById("case-form").addEventListener("change", schedule);
    document.getElementById("update").addEventListener("click", () => api.askEngine());
    window.DystoniaRows.addRow = addRow;
  },
};
