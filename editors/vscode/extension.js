// The VS Code side of handoff: starts `handoff lsp` for .handoff files and hands the
// editor's requests to it. Everything the editor shows comes from the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("handoff").get("server.path") || "handoff";
  const run = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "handoff",
    "handoff",
    { run, debug: run },
    { documentSelector: [{ language: "handoff" }] }
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("handoff.server.path")) {
        vscode.window.showInformationMessage("handoff: reload the window to start the new language server.");
      }
    })
  );
  return client.start().catch((err) => {
    vscode.window.showErrorMessage(
      `handoff: could not start \`${command} lsp\` (${err.message}). Install handoff or set handoff.server.path.`
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
