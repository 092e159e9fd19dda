// The file editor of the Files panel: open a file of the tree, save it
// (PUT /api/files/content), or save it and soft-reset the board: with the
// REPL (`serve`) as a user does, Ctrl-C then Ctrl-D on the console; without
// it (`run`, a fleet's board) through POST /api/power/soft-reset. Either
// way boot.py and main.py run again.
"use strict";

const editor = { path: null, repl: false };

function editorStatus(text, error = false) {
  status("editor-status", text, error);
}

// The "edit" button of a file's row in the tree.
function editButton(path) {
  const button = document.createElement("button");
  button.textContent = "edit";
  button.className = "edit";
  button.addEventListener("click", () => openInEditor(path));
  return button;
}

async function openInEditor(path) {
  let text;
  try {
    text = await call("GET", "/files/content", { path });
  } catch (e) { editorStatus(String(e.message || e), true); return; }
  editor.path = path;
  document.getElementById("editor").hidden = false;
  document.getElementById("editor-path").textContent = path;
  const area = document.getElementById("editor-text");
  area.value = typeof text === "string" ? text : JSON.stringify(text);
  area.focus();
  editorStatus("opened " + path);
}

async function saveEditor() {
  if (!editor.path) return false;
  const text = document.getElementById("editor-text").value;
  try {
    await call("PUT", "/files/content", { path: editor.path }, text);
  } catch (e) { editorStatus(String(e.message || e), true); return false; }
  editorStatus(`saved ${editor.path} (${new Blob([text]).size} bytes)`);
  refreshFiles();
  return true;
}

async function saveAndSoftReset() {
  if (!(await saveEditor())) return;
  if (editor.repl) {
    // Ctrl-C stops what runs (or clears the REPL's line), Ctrl-D soft-resets.
    sendKeys("\x03\x04");
  } else {
    try {
      await call("POST", "/power/soft-reset");
    } catch (e) { editorStatus(String(e.message || e), true); return; }
  }
  editorStatus(`saved ${editor.path}; soft reset`);
}

function setUpEditor(info) {
  editor.repl = info.repl;
  const box = document.createElement("div");
  box.id = "editor";
  box.hidden = true;
  box.innerHTML = `
    <div class="toolbar">
      <code id="editor-path"></code>
      <button id="editor-save" title="Ctrl-S">Save</button>
      <button id="editor-save-reset">Save and soft reset</button>
      <button id="editor-close">Close</button>
    </div>
    <textarea id="editor-text" spellcheck="false" autocomplete="off" aria-label="file text"></textarea>`;
  const panel = document.getElementById("files-panel");
  const statusLine = document.createElement("p");
  statusLine.id = "editor-status";
  statusLine.className = "status";
  panel.append(box, statusLine);
  const reset = document.getElementById("editor-save-reset");
  reset.title = info.repl
    ? "save, then Ctrl-C and Ctrl-D on the console: boot.py and main.py run again"
    : "save, then a soft reset (as machine.soft_reset()): boot.py and main.py run again";
  document.getElementById("editor-save").addEventListener("click", saveEditor);
  reset.addEventListener("click", saveAndSoftReset);
  document.getElementById("editor-close").addEventListener("click", () => {
    editor.path = null;
    box.hidden = true;
    editorStatus("");
  });
  const area = document.getElementById("editor-text");
  area.addEventListener("keydown", (e) => {
    if (e.key === "s" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      saveEditor();
    } else if (e.key === "Tab" && !e.shiftKey) {
      e.preventDefault();
      area.setRangeText("    ", area.selectionStart, area.selectionEnd, "end");
    }
  });
}
