// Starts `handoff lsp --stdio` as the extension does and speaks to it with the client's
// own JSON-RPC library: the handshake, a policy with an unknown queue, its diagnostic.
// Usage: node tests/server-smoke.js path/to/handoff
"use strict";

const { spawn } = require("child_process");
const assert = require("assert");
const rpc = require("vscode-jsonrpc/node");

const binary = process.argv[2];
if (!binary) {
  console.error("usage: node tests/server-smoke.js path/to/handoff");
  process.exit(2);
}

const server = spawn(binary, ["lsp", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
const connection = rpc.createMessageConnection(
  new rpc.StreamMessageReader(server.stdout),
  new rpc.StreamMessageWriter(server.stdin)
);
const timer = setTimeout(() => {
  console.error("FAIL: no answer from the server within 30 s");
  server.kill();
  process.exit(1);
}, 30000);

const uri = "file:///smoke/support.handoff";
const text = [
  'policy "smoke" version 1',
  "queues {",
  '  general "General support"',
  "}",
  "rule human {",
  '  when customer.last mentions "human"',
  "  escalate to generl",
  "}",
  "",
].join("\n");

const diagnostics = new Promise((resolve) =>
  connection.onNotification("textDocument/publishDiagnostics", (params) => resolve(params))
);
connection.listen();

(async () => {
  const init = await connection.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
  assert.strictEqual(init.serverInfo.name, "handoff");
  assert.strictEqual(init.capabilities.textDocumentSync.change, 2);
  await connection.sendNotification("initialized", {});
  await connection.sendNotification("textDocument/didOpen", {
    textDocument: { uri, languageId: "handoff", version: 1, text },
  });
  const published = await diagnostics;
  assert.strictEqual(published.uri, uri);
  const d = published.diagnostics.find((x) => x.code === "handoff::check::unknown_queue");
  assert.ok(d, JSON.stringify(published.diagnostics));
  assert.deepStrictEqual(d.range, { start: { line: 6, character: 14 }, end: { line: 6, character: 20 } });
  const hover = await connection.sendRequest("textDocument/hover", {
    textDocument: { uri },
    position: { line: 4, character: 6 },
  });
  assert.match(hover.contents.value, /escalate to generl/);
  await connection.sendRequest("shutdown");
  await connection.sendNotification("exit");
  clearTimeout(timer);
  server.on("exit", (code) => {
    assert.strictEqual(code, 0, "handoff lsp exits with 0 after shutdown and exit");
    console.log("ok: handoff lsp answered the extension's client library (diagnostic at 7:15, hover)");
    process.exit(0);
  });
})().catch((err) => {
  console.error("FAIL:", err);
  server.kill();
  process.exit(1);
});
