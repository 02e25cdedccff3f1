//! `kyosai-ocr`: the OCR crate's command line for IT and developers.
//!
//! ```text
//! kyosai-ocr samples --out DIR [--seed N] [--acquisitions N] [--invoices N]
//! kyosai-ocr eval [--dir DIR | --seed N --acquisitions N --invoices N] [--json FILE]
//! kyosai-ocr read --template ID FILE...
//! kyosai-ocr vendor --template ID FILE.csv|FILE.json
//! ```
//!
//! `samples` writes the generated sample set (scans, a multi-page TIFF, a PDF and
//! `manifest.json` with the ground truth); `eval` reads a sample set (written, or
//! generated in memory) and prints the figures — engine accuracy, straight-through rate,
//! wrong values auto-accepted; `read` reads scans and prints each field's value (個人番号
//! masked), confidence and route; `vendor` imports a vendor AI-OCR result file and routes it.

// A command line tool's report is its standard output.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use kyosai_ocr::eval::{evaluate, read_samples};
use kyosai_ocr::field::EngineInfo;
use kyosai_ocr::pipeline::{decide_readings, DocumentResult, Reader};
use kyosai_ocr::routing::RoutingPolicy;
use kyosai_ocr::samples::{self, Fonts, Manifest, SampleOptions};
use kyosai_ocr::template::builtin_by_id;
use kyosai_ocr::{input, vendor, OcrError};

#[derive(Parser, Debug)]
#[command(
    name = "kyosai-ocr",
    about = "共済デスク OCR: 見本帳票の生成、読取、評価"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The day documents are checked against (dates in the future, ages), YYYY-MM-DD.
    #[arg(long, global = true, default_value = "2025-10-31")]
    today: String,
    /// Share of auto-accepted fields drawn for QA (0–1).
    #[arg(long, global = true, default_value_t = 0.05)]
    qa_rate: f64,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Writes a generated sample set to a folder.
    Samples {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        #[arg(long, default_value_t = 24)]
        acquisitions: usize,
        #[arg(long, default_value_t = 16)]
        invoices: usize,
    },
    /// Reads a sample set and prints the figures.
    Eval {
        /// A folder written by `samples`; without it, the set is generated in memory.
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        #[arg(long, default_value_t = 24)]
        acquisitions: usize,
        #[arg(long, default_value_t = 16)]
        invoices: usize,
        /// Also write the report as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Reads scans of one template and prints every field.
    Read {
        #[arg(long)]
        template: String,
        files: Vec<PathBuf>,
    },
    /// Imports a vendor AI-OCR result file (CSV or JSON) and routes it.
    Vendor {
        #[arg(long)]
        template: String,
        file: PathBuf,
        /// Engine name recorded for a CSV (a JSON names its own).
        #[arg(long, default_value = "vendor")]
        engine: String,
    },
}

fn today(s: &str) -> Result<NaiveDate, OcrError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| OcrError::Template {
        detail: format!("--today は YYYY-MM-DD で指定してください: {s}"),
    })
}

fn print_document(doc: &DocumentResult) {
    println!("== {} ({})", doc.document_id, doc.template_id);
    for p in &doc.pages {
        println!(
            "   page {}: {}x{} px, {:.1} dpi, rotation {:+.2}°, marks residual {:.2} mm",
            p.page,
            p.width,
            p.height,
            p.px_per_mm * 25.4,
            p.rotation_deg,
            p.residual_mm
        );
    }
    for f in &doc.fields {
        let value = match (&f.value, f.sensitive) {
            (None, _) => "（読取不能）".to_owned(),
            (Some(v), true) if v.as_str().len() >= 4 => {
                format!("●●●●●●●●{}", &v.as_str()[v.as_str().len() - 4..])
            }
            (Some(v), _) => v.as_str().to_owned(),
        };
        let reasons: Vec<String> = f
            .decision
            .reasons
            .iter()
            .map(|r| {
                serde_json::to_value(r)
                    .map(|v| v["code"].to_string())
                    .unwrap_or_default()
            })
            .collect();
        println!(
            "   {:36} {:>4} {:12} {} {}",
            f.field,
            f.confidence().to_string(),
            format!("{:?}", f.decision.route),
            value,
            reasons.join(",")
        );
    }
}

fn load_manifest(dir: &Path) -> Result<Manifest, OcrError> {
    let path = dir.join("manifest.json");
    let bytes = std::fs::read(&path).map_err(|e| OcrError::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| OcrError::Template {
        detail: format!("{}: {e}", path.display()),
    })
}

fn run(cli: Cli) -> Result<(), OcrError> {
    let policy = RoutingPolicy {
        qa_rate: cli.qa_rate,
        ..RoutingPolicy::default()
    };
    let today = today(&cli.today)?;
    match cli.command {
        Command::Samples {
            out,
            seed,
            acquisitions,
            invoices,
        } => {
            let fonts = Fonts::system()?;
            let t0 = Instant::now();
            let docs = samples::generate(
                &SampleOptions {
                    seed,
                    acquisitions,
                    invoices,
                },
                &fonts,
            )?;
            let (_, files) = samples::write_set(&out, seed, &docs)?;
            println!(
                "{} documents, {} files in {} ({:.1} s)",
                docs.len(),
                files.len(),
                out.display(),
                t0.elapsed().as_secs_f64()
            );
        }
        Command::Eval {
            dir,
            seed,
            acquisitions,
            invoices,
            json,
        } => {
            // The masters the sample forms are filled from (所属所, 職名).
            let mut reader =
                Reader::with_tesseract(policy, today)?.with_reference(samples::reference_data());
            let t0 = Instant::now();
            let (results, truth) = match dir {
                Some(dir) => {
                    let manifest = load_manifest(&dir)?;
                    let mut results = Vec::new();
                    for entry in &manifest.files {
                        let template = builtin_by_id(&entry.template_id)?;
                        let bytes =
                            std::fs::read(dir.join(&entry.file)).map_err(|e| OcrError::Io {
                                path: entry.file.clone(),
                                source: e,
                            })?;
                        let docs = reader.read_batch(&entry.file, &template, &bytes)?;
                        // Name each document after the truth it shows.
                        for (mut d, id) in docs.into_iter().zip(&entry.documents) {
                            d.document_id = if entry.documents.len() > 1 {
                                format!("{id}@{}", entry.file)
                            } else {
                                id.clone()
                            };
                            results.push(d);
                        }
                    }
                    let mut truth = manifest.truth.clone();
                    for entry in manifest.files.iter().filter(|e| e.documents.len() > 1) {
                        for id in &entry.documents {
                            if let Some(t) = manifest.truth.get(id) {
                                truth.insert(format!("{id}@{}", entry.file), t.clone());
                            }
                        }
                    }
                    (results, truth)
                }
                None => {
                    let fonts = Fonts::system()?;
                    let docs = samples::generate(
                        &SampleOptions {
                            seed,
                            acquisitions,
                            invoices,
                        },
                        &fonts,
                    )?;
                    let results = read_samples(&mut reader, &docs)?;
                    let truth = docs
                        .into_iter()
                        .map(|d| (d.truth.document_id.clone(), d.truth))
                        .collect();
                    (results, truth)
                }
            };
            let report = evaluate(&results, &truth);
            println!("engine: {:?}", reader.engines());
            print!("{}", report.table());
            println!("elapsed: {:.1} s", t0.elapsed().as_secs_f64());
            if let Some(path) = json {
                let bytes = serde_json::to_vec_pretty(&report).unwrap_or_default();
                std::fs::write(&path, bytes).map_err(|e| OcrError::Io {
                    path: path.display().to_string(),
                    source: e,
                })?;
            }
        }
        Command::Read { template, files } => {
            let template = builtin_by_id(&template)?;
            let mut reader = Reader::with_tesseract(policy, today)?;
            for file in files {
                let bytes = std::fs::read(&file).map_err(|e| OcrError::Io {
                    path: file.display().to_string(),
                    source: e,
                })?;
                let name = file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let t0 = Instant::now();
                let docs = reader.read_batch(&name, &template, &bytes)?;
                for d in &docs {
                    print_document(d);
                }
                println!(
                    "   ({} pages in {:.2} s)",
                    input::load_pages(&bytes).map(|p| p.len()).unwrap_or(0),
                    t0.elapsed().as_secs_f64()
                );
            }
        }
        Command::Vendor {
            template,
            file,
            engine,
        } => {
            let template = builtin_by_id(&template)?;
            let bytes = std::fs::read(&file).map_err(|e| OcrError::Io {
                path: file.display().to_string(),
                source: e,
            })?;
            let engine = EngineInfo {
                name: engine,
                version: String::new(),
            };
            let docs = if bytes.trim_ascii_start().starts_with(b"{") {
                vendor::import_json(&bytes, &template, &engine)?
            } else {
                vendor::import_csv(&bytes, &template, &engine)?
            };
            for d in docs {
                let result = decide_readings(
                    &template,
                    &d.document_id,
                    &d.readings,
                    &policy,
                    today,
                    &Default::default(),
                );
                print_document(&result);
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("エラー（{}）: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}
