// Vigie's one script: progressive enhancement only. Every page works without it: the
// server validates every form, and every list of choices is complete without filtering.
"use strict";

// Text compared without accents or case: "segou" finds "Ségou", "BAROUELI" finds "Barouéli".
const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

// Region → cercle → commune: each choice narrows the next one, choosing a commune fills in
// its cercle and region, and typing part of a commune's name finds it.
for (const form of document.querySelectorAll("form")) {
  const region = form.querySelector("select[data-place=region]");
  const cercle = form.querySelector("select[data-place=cercle]");
  const commune = form.querySelector("select[data-place=commune]");
  const search = form.querySelector("input[data-commune-search]");
  if (!commune) continue;
  const chosen = (select) => (select ? select.value : "");
  const narrow = () => {
    const r = chosen(region), c = chosen(cercle), q = search ? fold(search.value.trim()) : "";
    if (cercle) {
      for (const o of cercle.options) o.hidden = o.value !== "" && r !== "" && o.dataset.region !== r;
    }
    const found = [];
    for (const o of commune.options) {
      if (o.value === "") continue;
      const shown = (r === "" || o.dataset.region === r) && (c === "" || o.dataset.cercle === c) &&
        (q === "" || fold(o.text).includes(q) || o.value.toLowerCase().startsWith(q));
      o.hidden = !shown;
      if (shown) found.push(o);
    }
    if (q !== "" && found.length === 1 && commune.value !== found[0].value) {
      commune.value = found[0].value;
      fillParents();
    }
  };
  const fillParents = () => {
    const o = commune.selectedOptions[0];
    if (!o || o.value === "") return;
    if (region) region.value = o.dataset.region;
    if (cercle) cercle.value = o.dataset.cercle;
  };
  if (region) region.addEventListener("change", () => {
    const c = cercle && cercle.selectedOptions[0];
    if (c && c.value !== "" && c.dataset.region !== region.value) cercle.value = "";
    const o = commune.selectedOptions[0];
    if (o && o.value !== "" && region.value !== "" && o.dataset.region !== region.value) commune.value = "";
    narrow();
  });
  if (cercle) cercle.addEventListener("change", () => {
    const c = cercle.selectedOptions[0];
    if (c && c.value !== "" && region) region.value = c.dataset.region;
    const o = commune.selectedOptions[0];
    if (o && o.value !== "" && cercle.value !== "" && o.dataset.cercle !== cercle.value) commune.value = "";
    narrow();
  });
  commune.addEventListener("change", () => { fillParents(); narrow(); });
  if (search) search.addEventListener("input", narrow);
  // A commune chosen (a form sent back, a record edited): its region and cercle shown with it.
  if ((cercle && cercle.value === "") || (region && region.value === "")) fillParents();
  narrow();
}

// A large file's upload shows its progress; the server's answer then replaces the page.
for (const form of document.querySelectorAll("form[data-upload]")) {
  const bar = form.querySelector("progress");
  form.addEventListener("submit", (event) => {
    if (!bar || !window.XMLHttpRequest) return;
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    bar.hidden = false;
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; }
    });
    request.addEventListener("load", () => {
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", () => form.submit());
    request.send(new FormData(form));
  });
}
