//! `handoff import`: converts an export (chat-completion logs, CSV/TSV,
//! MultiDoGO, ABCD, Zendesk, Intercom) to handoff's conversation JSON Lines,
//! streaming, reporting each record it cannot convert and converting the rest.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use crate::import::{self, time, Format, Options};
use crate::render;
use crate::transcript::decompress_if_gzip;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The export's format: chat, csv, tsv, multidogo, abcd, zendesk or intercom.
    format: Format,
    /// Export files (gzip or not), or - for standard input.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Write the conversations here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Map source role names to handoff's (case-insensitive): user=customer,assistant=bot.
    #[arg(long, value_name = "NAME=ROLE,...")]
    roles: Option<String>,
    /// The zone of timestamps written without an offset: Europe/Paris, UTC or +02:00.
    #[arg(long, value_name = "ZONE")]
    default_zone: Option<String>,
    /// CSV/TSV: which column holds what: id=ticket,role=speaker,text=body,timestamp=sent_at
    /// (role=@customer gives every row that role).
    #[arg(long, value_name = "FIELD=COLUMN,...")]
    columns: Option<String>,
}

pub fn run(args: Args) -> u8 {
    let mut options = Options::for_format(args.format);
    let configured = (|| {
        if let Some(spec) = &args.roles {
            options.roles.apply(spec).map_err(|e| format!("--roles: {e}"))?;
        }
        if let Some(zone) = &args.default_zone {
            options.default_zone = Some(time::parse_zone(zone).map_err(|e| format!("--default-zone: {e}"))?);
        }
        if let Some(spec) = &args.columns {
            options.columns.apply(spec).map_err(|e| format!("--columns: {e}"))?;
        }
        Ok::<(), String>(())
    })();
    if let Err(e) = configured {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => match File::create(path) {
            Ok(file) => Box::new(BufWriter::new(file)),
            Err(e) => {
                eprintln!("error: cannot create {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let mut total = import::Counts::default();
    for input in &args.inputs {
        let (name, reader) = match open(input) {
            Ok(opened) => opened,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        };
        let items = import::conversations(args.format, &name, reader, &options);
        let counts = import::write_json_lines(items, &mut out, |error| eprint!("{}", render::graphical(error)));
        match counts {
            Ok(counts) => {
                total.converted += counts.converted;
                total.rejected += counts.rejected;
            }
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return EXIT_OK,
            Err(e) => {
                eprintln!("error: cannot write the output: {e}");
                return EXIT_USAGE;
            }
        }
    }
    if let Err(e) = out.flush() {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the output: {e}");
            return EXIT_USAGE;
        }
    }
    let read = total.converted + total.rejected;
    eprintln!("imported {} conversations, rejected {} (of {read} records)", total.converted, total.rejected);
    if total.rejected > 0 {
        EXIT_FAIL
    } else {
        EXIT_OK
    }
}

fn open(input: &Path) -> Result<(String, Box<dyn std::io::BufRead + Send>), String> {
    if input.as_os_str() == "-" {
        let reader = decompress_if_gzip(BufReader::new(std::io::stdin())).map_err(|e| format!("<stdin>: {e}"))?;
        return Ok(("<stdin>".to_owned(), reader));
    }
    let name = input.display().to_string();
    let file = File::open(input).map_err(|e| format!("cannot read {name}: {e}"))?;
    let reader = decompress_if_gzip(BufReader::new(file)).map_err(|e| format!("cannot read {name}: {e}"))?;
    Ok((name, reader))
}
