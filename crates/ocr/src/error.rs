//! The crate's error: a stable code for the UI and a Japanese message for the clerk.

/// Why reading a document failed.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// A template file is malformed.
    #[error("帳票テンプレートが不正です: {detail}")]
    Template {
        /// What is wrong.
        detail: String,
    },
    /// No template with this id.
    #[error("帳票テンプレート「{id}」はありません。")]
    UnknownTemplate {
        /// The id asked for.
        id: String,
    },
    /// The file is not an image or PDF this crate reads.
    #[error("ファイルの形式を判別できません。PNG、JPEG、TIFF または PDF を指定してください。")]
    UnknownFormat,
    /// The image could not be decoded.
    #[error("画像を読み込めません（{detail}）。ファイルが壊れていないか確認してください。")]
    Image {
        /// The decoder's message.
        detail: String,
    },
    /// The PDF could not be rasterised.
    #[error("PDF を画像に変換できません（{detail}）。poppler-utils（pdftoppm）が入っているか、ファイルが壊れていないか確認してください。")]
    Pdf {
        /// What failed.
        detail: String,
    },
    /// The document has more pages than its template (or none).
    #[error(
        "ページ数が帳票と合いません（帳票 {expected} ページ、読み込んだファイル {found} ページ）。"
    )]
    PageCount {
        /// Pages of the template.
        expected: u32,
        /// Pages of the file.
        found: u32,
    },
    /// The registration marks were not found: wrong form, a page upside down, or too
    /// strong a rotation.
    #[error("{page}ページ目の位置合わせマークが見つかりません（{found}/{expected}）。帳票の種類、用紙の向きと傾きを確認して読み直してください。")]
    MarksNotFound {
        /// 1-based page.
        page: u32,
        /// Marks found.
        found: usize,
        /// Marks of the template.
        expected: usize,
    },
    /// The OCR engine could not start (missing language data, library problem).
    #[error("OCR エンジン（{engine}）を起動できません: {detail}。tesseract-ocr と tesseract-ocr-jpn が入っているか確認してください。")]
    EngineInit {
        /// Engine name.
        engine: String,
        /// What failed.
        detail: String,
    },
    /// The engine failed on a field.
    #[error("OCR エンジン（{engine}）が項目「{field}」を読めませんでした: {detail}")]
    Engine {
        /// Engine name.
        engine: String,
        /// Field id.
        field: String,
        /// What failed.
        detail: String,
    },
    /// A vendor result file is malformed; the message names the line and the field.
    #[error("{0}")]
    Vendor(#[from] crate::vendor::VendorError),
    /// Reading or writing a file.
    #[error("ファイルを読み書きできません（{path}）: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl OcrError {
    /// The stable code the UI switches on.
    pub fn code(&self) -> &'static str {
        match self {
            OcrError::Template { .. } => "ocr.template_invalid",
            OcrError::UnknownTemplate { .. } => "ocr.template_unknown",
            OcrError::UnknownFormat => "ocr.format_unknown",
            OcrError::Image { .. } => "ocr.image_invalid",
            OcrError::Pdf { .. } => "ocr.pdf_invalid",
            OcrError::PageCount { .. } => "ocr.page_count",
            OcrError::MarksNotFound { .. } => "ocr.marks_not_found",
            OcrError::EngineInit { .. } => "ocr.engine_init",
            OcrError::Engine { .. } => "ocr.engine_failed",
            OcrError::Vendor(e) => e.code(),
            OcrError::Io { .. } => "ocr.io",
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        OcrError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
