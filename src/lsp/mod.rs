//! `handoff lsp`: the language server. Diagnostics as you type (and failing inline
//! tests on save), hover, go to definition, references, rename, completion, symbols,
//! folding, formatting and quick fixes, over the checker's own analysis.
//!
//! Synchronous on purpose (`lsp-server`, the transport rust-analyzer uses): one
//! policy file is analysed in milliseconds, so requests are answered in order on
//! one thread and no async runtime is needed.

pub(crate) mod actions;
pub(crate) mod builtins;
pub(crate) mod completion;
pub(crate) mod diagnostics;
pub(crate) mod documents;
pub(crate) mod formatting;
pub(crate) mod hover;
pub(crate) mod index;
pub(crate) mod navigation;
pub(crate) mod position;
pub(crate) mod symbols;

use std::error::Error;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as LspNotification, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, FoldingRangeRequest, Formatting, GotoDefinition,
    HoverRequest, PrepareRenameRequest, References, Rename, Request as LspRequest,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, DocumentSymbolResponse, GotoDefinitionResponse, OneOf,
    PublishDiagnosticsParams, RenameOptions, SaveOptions, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use documents::{Document, Documents};

/// An error that ends the server: the connection broke or the client broke the protocol.
pub type ServerError = Box<dyn Error + Send + Sync>;

/// Serves the editor on stdin and stdout until it says `exit`.
pub fn run_stdio() -> Result<(), ServerError> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// What the server can do, as told to the editor.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
            ..TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(true.into()),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), " ".into(), "(".into()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(true.into()),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Runs the server on a connection: the handshake, then every message until `exit`.
pub fn serve(connection: &Connection) -> Result<(), ServerError> {
    let (id, _params) = connection.initialize_start()?;
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "handoff".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
    });
    connection.initialize_finish(id, result)?;
    let mut server = Server { documents: Documents::default(), connection };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let response = server.request(request);
                connection.sender.send(response.into())?;
            }
            Message::Notification(notification) => server.notification(notification)?,
            Message::Response(_) => {}
        }
    }
    Ok(())
}

struct Server<'c> {
    documents: Documents,
    connection: &'c Connection,
}

/// A request's answer: its result, or an error for the editor to show.
type Answer<T> = Result<T, (ErrorCode, String)>;

impl Server<'_> {
    fn notification(&mut self, n: Notification) -> Result<(), ServerError> {
        let uri = match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p = params::<DidOpenTextDocument>(n.params)?;
                let d = p.text_document;
                let uri = d.uri.clone();
                self.documents.open(Document::open(d.uri, d.version, d.text));
                uri
            }
            DidChangeTextDocument::METHOD => {
                let p = params::<DidChangeTextDocument>(n.params)?;
                let uri = p.text_document.uri;
                let Some(doc) = self.documents.get_mut(&uri) else { return Ok(()) };
                doc.change(p.text_document.version, p.content_changes);
                uri
            }
            DidSaveTextDocument::METHOD => {
                let uri = params::<DidSaveTextDocument>(n.params)?.text_document.uri;
                let Some(doc) = self.documents.get_mut(&uri) else { return Ok(()) };
                doc.run_tests();
                uri
            }
            DidCloseTextDocument::METHOD => {
                let uri = params::<DidCloseTextDocument>(n.params)?.text_document.uri;
                self.documents.close(&uri);
                // A closed file's diagnostics go away.
                return self.publish(uri, Vec::new(), None);
            }
            _ => return Ok(()),
        };
        let Some(doc) = self.documents.get(&uri) else { return Ok(()) };
        let (all, version) = (diagnostics::diagnostics(doc), doc.version);
        self.publish(uri, all, Some(version))
    }

    fn publish(
        &self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<(), ServerError> {
        let params = PublishDiagnosticsParams { uri, diagnostics, version };
        self.connection.sender.send(Notification::new(PublishDiagnostics::METHOD.into(), params).into())?;
        Ok(())
    }

    fn request(&mut self, r: Request) -> Response {
        let id = r.id.clone();
        match r.method.as_str() {
            HoverRequest::METHOD => self
                .answer::<HoverRequest>(r, |doc, p| Ok(hover::hover(doc, at(doc, &p.text_document_position_params)))),
            GotoDefinition::METHOD => self.answer::<GotoDefinition>(r, |doc, p| {
                Ok(navigation::definition(doc, at(doc, &p.text_document_position_params))
                    .map(GotoDefinitionResponse::Scalar))
            }),
            References::METHOD => self.answer::<References>(r, |doc, p| {
                let offset = at(doc, &p.text_document_position);
                Ok(Some(navigation::references(doc, offset, p.context.include_declaration)))
            }),
            PrepareRenameRequest::METHOD => {
                self.answer::<PrepareRenameRequest>(r, |doc, p| Ok(navigation::prepare_rename(doc, at(doc, &p))))
            }
            Rename::METHOD => self.answer::<Rename>(r, |doc, p| {
                navigation::rename(doc, at(doc, &p.text_document_position), &p.new_name)
                    .map_err(|e| (ErrorCode::InvalidParams, e))
            }),
            Completion::METHOD => self.answer::<Completion>(r, |doc, p| {
                Ok(Some(completion::completion(doc, at(doc, &p.text_document_position)).into()))
            }),
            DocumentSymbolRequest::METHOD => self.answer::<DocumentSymbolRequest>(r, |doc, _| {
                Ok(Some(DocumentSymbolResponse::Nested(symbols::document_symbols(doc))))
            }),
            FoldingRangeRequest::METHOD => {
                self.answer::<FoldingRangeRequest>(r, |doc, _| Ok(Some(symbols::folding_ranges(doc))))
            }
            Formatting::METHOD => self.answer::<Formatting>(r, |doc, _| Ok(formatting::format(doc))),
            CodeActionRequest::METHOD => self.answer::<CodeActionRequest>(r, |doc, p| {
                let (start, end) = doc.lines.span(&doc.text, p.range);
                Ok(Some(actions::code_actions(doc, start, end)))
            }),
            _ => error(id, ErrorCode::MethodNotFound, format!("handoff lsp does not handle `{}`", r.method)),
        }
    }

    /// Answers a request about an open document.
    fn answer<R>(&self, r: Request, f: impl FnOnce(&Document, R::Params) -> Answer<R::Result>) -> Response
    where
        R: LspRequest,
        R::Params: DeserializeOwned + HasDocument,
        R::Result: Serialize,
    {
        let p: R::Params = match serde_json::from_value(r.params) {
            Ok(p) => p,
            Err(e) => return error(r.id, ErrorCode::InvalidParams, e.to_string()),
        };
        let Some(doc) = self.documents.get(p.uri()) else {
            return error(r.id, ErrorCode::InvalidParams, format!("`{}` is not open", p.uri().as_str()));
        };
        match f(doc, p) {
            Ok(result) => Response::new_ok(r.id, result),
            Err((code, message)) => error(r.id, code, message),
        }
    }
}

fn error(id: RequestId, code: ErrorCode, message: String) -> Response {
    Response::new_err(id, code as i32, message)
}

fn params<N: LspNotification>(value: serde_json::Value) -> Result<N::Params, ServerError>
where
    N::Params: DeserializeOwned,
{
    Ok(serde_json::from_value(value)?)
}

/// The byte offset of a request's position.
fn at(doc: &Document, p: &TextDocumentPositionParams) -> usize {
    doc.lines.offset(&doc.text, p.position)
}

/// Request parameters that name a document.
trait HasDocument {
    fn uri(&self) -> &Uri;
}

macro_rules! has_document {
    ($($t:ty => |$p:ident| $e:expr;)*) => {
        $(impl HasDocument for $t {
            fn uri(&self) -> &Uri {
                let $p = self;
                &$e.uri
            }
        })*
    };
}

has_document! {
    lsp_types::HoverParams => |p| p.text_document_position_params.text_document;
    lsp_types::GotoDefinitionParams => |p| p.text_document_position_params.text_document;
    lsp_types::ReferenceParams => |p| p.text_document_position.text_document;
    lsp_types::TextDocumentPositionParams => |p| p.text_document;
    lsp_types::RenameParams => |p| p.text_document_position.text_document;
    lsp_types::CompletionParams => |p| p.text_document_position.text_document;
    lsp_types::DocumentSymbolParams => |p| p.text_document;
    lsp_types::FoldingRangeParams => |p| p.text_document;
    lsp_types::DocumentFormattingParams => |p| p.text_document;
    lsp_types::CodeActionParams => |p| p.text_document;
}
