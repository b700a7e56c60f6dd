/* Patient mode: one question (fieldset) at a time, in the order of the engine's next
   questions (which are never shown: no verdict before the end), then a review page where
   each answer can be changed, then the report. Clinician mode: repeatable rows. */
"use strict";

/* A template row whose ids are made unique (data-id → id, data-for → for). */
window.DystoniaRow = {
  counter: 0,
  clone(tplId, container, onRemove) {
    const tpl = document.getElementById(tplId);
    const row = tpl.content.firstElementChild.cloneNode(true);
    const n = window.DystoniaRow.counter++;
    row.querySelectorAll("[data-id]").forEach((el) => { el.id = `${el.dataset.id}-${n}`; });
    row.querySelectorAll("[data-for]").forEach((l) => { l.htmlFor = `${l.dataset.for}-${n}`; });
    const legend = row.querySelector("legend");
    legend.textContent += ` ${container.children.length + 1}`;
    row.querySelector(".remove-row").addEventListener("click", () => { row.remove(); onRemove(); });
    container.appendChild(row);
    return row;
  },
};

window.DystoniaSteps = {
  FIELD_STEP: {
    "dystonia.onset": "onset", "dystonia.sensory_trick": "trick",
    "dystonia.persists_in_sleep": "sleep", "dystonia.features": "features",
    "dystonia.course": "course", "dystonia.fixed_posture": "course",
    "dystonia.variability": "variability", "events": "events",
    "events[].before_onset": "events", "events[].body_site": "events",
    "medications": "medications", "medications[].before_onset": "medications",
    "imaging": "imaging", "imaging[].lesions[].side": "imaging",
    "family_history.dystonia": "family",
  },
  init(api) {
    const steps = [...document.querySelectorAll(".step")];
    const byName = Object.fromEntries(steps.map((s) => [s.dataset.step, s]));
    const questions = steps.filter((s) => s.dataset.step !== "review");
    const history = [];
    const done = new Set();
    let current = "warning";
    let reviewing = false;
    const $ = (id) => document.getElementById(id);
    const nextBtn = $("next"), backBtn = $("back"), reportBtn = $("show-report");
    const progress = $("progress");

    // Repeatable events and medicines, each with "add another".
    const addEvent = () => {
      const row = window.DystoniaRow.clone("tpl-event", $("event-rows"), () => $("add-event").focus());
      row.querySelector("select").focus();
      const yes = $("had_event-yes"); if (yes) yes.checked = true;
    };
    const addMed = () => {
      const row = window.DystoniaRow.clone("tpl-med", $("med-rows"), () => $("add-med").focus());
      row.querySelector("input").focus();
      const yes = $("meds-yes"); if (yes) yes.checked = true;
    };
    $("add-event").addEventListener("click", addEvent);
    $("add-med").addEventListener("click", addMed);
    document.querySelectorAll('input[name="had_event"]').forEach((r) => r.addEventListener("change", () => {
      if (r.checked && r.value === "yes" && !$("event-rows").children.length) addEvent();
    }));
    document.querySelectorAll('input[name="meds"]').forEach((r) => r.addEventListener("change", () => {
      if (r.checked && r.value === "yes" && !$("med-rows").children.length) addMed();
    }));

    // Warning signs: shown at once, not at the end.
    const urgent = () => {
      const any = document.querySelector('input[name="warning_sign"]:checked');
      $("urgent-alert").hidden = !any;
      if (any) $("warning-none").checked = false;
    };
    document.querySelectorAll('input[name="warning_sign"]').forEach((b) => b.addEventListener("change", urgent));
    $("warning-none").addEventListener("change", () => {
      if ($("warning-none").checked) {
        document.querySelectorAll('input[name="warning_sign"]').forEach((b) => { b.checked = false; });
        urgent();
      }
    });

    const show = (name, focus) => {
      steps.forEach((s) => { s.hidden = s.dataset.step !== name; });
      current = name;
      document.body.dataset.step = name;
      const atReview = name === "review";
      backBtn.disabled = history.length === 0 && !reviewing;
      nextBtn.hidden = atReview;
      reportBtn.hidden = !atReview;
      const left = questions.filter((s) => !done.has(s.dataset.step) && s.dataset.step !== name).length;
      nextBtn.disabled = false;
      nextBtn.textContent = reviewing ? "Back to the summary" : (left ? "Next question" : "Check my answers");
      progress.textContent = atReview ? "All questions answered: check your answers."
        : `Question ${history.length + 1} of ${history.length + 1 + left}.`;
      if (focus) (byName[name].querySelector("legend, h2")).focus();
    };

    const chooseNext = () => {
      const order = [];
      api.questions().forEach((f) => {
        const step = this.FIELD_STEP[f];
        if (step && !order.includes(step)) order.push(step);
      });
      questions.forEach((s) => { if (!order.includes(s.dataset.step)) order.push(s.dataset.step); });
      return order.find((n) => !done.has(n) && n !== current);
    };

    const answerText = (step) => {
      const el = byName[step];
      const out = [];
      el.querySelectorAll("input:checked").forEach((i) => {
        const label = el.querySelector(`label[for="${i.id}"]`);
        // a sub-question (role=group) is named, so "no" is not read as the main answer
        const group = i.closest('[role="group"][aria-labelledby]');
        const q = group ? document.getElementById(group.getAttribute("aria-labelledby")) : null;
        if (label) out.push((q ? `${q.textContent.trim()} ` : "") + label.textContent.trim());
      });
      el.querySelectorAll('input[type="number"], input[type="text"]').forEach((i) => {
        if (i.value.trim()) {
          const label = el.querySelector(`label[for="${i.id}"]`);
          const unit = i.parentElement.querySelector("select");
          out.push(`${label ? label.textContent.trim() + " " : ""}${i.value.trim()}${unit ? " " + unit.selectedOptions[0].textContent : ""}`);
        }
      });
      el.querySelectorAll(".row select, .region-choice select").forEach((s) => {
        const box = s.closest(".region-choice") ? s.closest(".region-choice").querySelector("input") : null;
        if (box && !box.checked) return;
        if (s.closest(".pair")) return;
        const label = el.querySelector(`label[for="${s.id}"]`);
        if (s.value) out.push(`${label ? label.textContent.trim() + " " : ""}${s.selectedOptions[0].textContent}`);
      });
      if (step === "imaging" && document.querySelector('input[name="scan"]:checked')?.value === "abnormal") {
        [$("scan-side"), $("scan-structure")].forEach((s) => out.push(`${s.labels[0].textContent.trim()} ${s.selectedOptions[0].textContent}`));
      }
      return out.length ? out.join("; ") : "not answered";
    };

    const renderReview = () => {
      const list = $("review-list");
      list.replaceChildren();
      questions.forEach((s) => {
        const name = s.dataset.step;
        const dt = document.createElement("dt");
        dt.textContent = s.querySelector("legend").textContent;
        const dd = document.createElement("dd");
        dd.dataset.step = name;
        const span = document.createElement("span");
        span.className = "answer";
        span.textContent = answerText(name);
        const change = document.createElement("button");
        change.type = "button";
        change.className = "change";
        change.dataset.goto = name;
        change.textContent = "Change";
        change.setAttribute("aria-label", `Change: ${dt.textContent}`);
        change.addEventListener("click", () => { reviewing = true; show(name, true); });
        dd.append(span, " ", change);
        list.append(dt, dd);
      });
    };

    const goReview = () => { reviewing = false; renderReview(); show("review", true); };

    nextBtn.addEventListener("click", async () => {
      if (current === "regions" && !document.querySelector('input[name="region"]:checked')) {
        const box = $("errors");
        box.textContent = "Please choose at least one affected body part.";
        box.hidden = false;
        return;
      }
      $("errors").hidden = true;
      if (reviewing) { done.add(current); goReview(); return; }
      nextBtn.disabled = true;
      done.add(current);
      if (current !== "warning") await api.askEngine();
      const next = chooseNext();
      history.push(current);
      if (!next) { goReview(); return; }
      show(next, true);
    });
    backBtn.addEventListener("click", () => {
      if (reviewing) { goReview(); return; }
      const prev = history.pop();
      if (prev) { done.delete(prev); show(prev, true); }
    });
    api.isReady = () => current === "review";
    show("warning", false);
  },
};

/* Clinician mode: repeatable rows (events, medications, imaging with its lesions, genetic
   tests) and automatic engine updates after each change. */
window.DystoniaRows = {
  init(api) {
    let counter = 0;
    const rename = (root, prefix) => {
      root.querySelectorAll("[id]").forEach((el) => {
        el.dataset.key = el.id;
        el.id = `${prefix}-${el.id}`;
        if (el.getAttribute("aria-describedby")) el.setAttribute("aria-describedby", `${el.id}-hint`);
      });
      root.querySelectorAll("label[for]").forEach((l) => { l.htmlFor = `${prefix}-${l.htmlFor}`; });
      root.querySelectorAll(".hint").forEach((h) => { delete h.dataset.key; });
    };
    const addLesion = (imagingRow) => {
      const tpl = document.getElementById("tpl-lesion");
      const les = tpl.content.firstElementChild.cloneNode(true);
      const box = imagingRow.querySelector(".lesions");
      les.querySelector("legend").textContent += ` ${box.children.length + 1}`;
      rename(les, `lesion-${counter++}`);
      les.querySelector(".remove-lesion").addEventListener("click", () => {
        les.remove(); imagingRow.querySelector(".add-lesion").focus(); schedule();
      });
      box.appendChild(les);
      les.querySelector("select").focus();
      return les;
    };
    const addRow = (kind) => {
      const tpl = document.getElementById(`tpl-${kind}`);
      const row = tpl.content.firstElementChild.cloneNode(true);
      const n = counter++;
      const rows = document.getElementById(`rows-${kind}`);
      row.querySelector("legend").textContent += ` ${rows.children.length + 1}`;
      rename(row, `${kind}-${n}`);
      row.querySelector(".remove-row").addEventListener("click", () => {
        row.remove(); document.getElementById(`add-${kind}`).focus(); schedule();
      });
      const addLes = row.querySelector(".add-lesion");
      if (addLes) addLes.addEventListener("click", () => addLesion(row));
      rows.appendChild(row);
      document.getElementById(`none-${kind}`).checked = false;
      window.DystoniaTimes.watch(row);
      row.querySelector("select, input").focus();
      return row;
    };
    document.querySelectorAll(".add-row").forEach((b) => {
      b.addEventListener("click", () => addRow(b.dataset.kind));
    });
    let timer = null;
    const schedule = () => { clearTimeout(timer); timer = setTimeout(() => api.askEngine(false), 300); };
    document.getElementById("case-form").addEventListener("change", schedule);
    document.getElementById("update").addEventListener("click", () => { clearTimeout(timer); api.askEngine(true); });
    window.DystoniaRows.addRow = addRow;
    window.DystoniaRows.addLesion = addLesion;
  },
};
