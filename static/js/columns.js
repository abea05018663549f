// Column picker for wide tables (progressive: without this file the table fits by itself,
// with its least needed columns hidden on narrower screens by the stylesheet).
// A table opts in with data-column-picker="name"; its optional headers carry data-column.
// The choice is remembered in this browser.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table[data-column-picker]").forEach((table) => {
    const key = `columns:${table.dataset.columnPicker}`;
    const optional = [...table.tHead.rows[0].cells]
      .map((th, index) => ({ th, index, name: th.dataset.column }))
      .filter((column) => column.name);
    let stored = null;
    try {
      stored = JSON.parse(window.localStorage.getItem(key));
    } catch (error) {
      stored = null;
    }
    // First visit: start from what the stylesheet hides at this width.
    const hidden = new Set(
      Array.isArray(stored)
        ? stored
        : optional.filter((c) => getComputedStyle(c.th).display === "none").map((c) => c.name),
    );

    const apply = () => {
      table.classList.add("columns-chosen");
      optional.forEach(({ index, name }) => {
        [...table.rows].forEach((row) => {
          if (row.cells[index]) row.cells[index].hidden = hidden.has(name);
        });
      });
    };

    const picker = document.createElement("details");
    picker.className = "column-picker";
    const summary = document.createElement("summary");
    summary.textContent = "Columns";
    const group = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.className = "visually-hidden";
    legend.textContent = "Columns to show";
    group.append(legend);
    optional.forEach(({ th, name }) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = !hidden.has(name);
      box.addEventListener("change", () => {
        if (box.checked) hidden.delete(name);
        else hidden.add(name);
        try {
          window.localStorage.setItem(key, JSON.stringify([...hidden]));
        } catch (error) {
          // Private windows may refuse storage: the choice then lasts for this page only.
        }
        apply();
      });
      label.append(box, ` ${th.textContent.replace(/[↑↓]/g, "").trim()}`);
      group.append(label);
    });
    picker.append(summary, group);
    (table.closest(".table-wrap") || table).before(picker);
    apply();
  });
});
