//! ODK Collect's configuration code: what a monitor scans once (Collect's *Configure with QR
//! code*) to point the phone at Vigie's OpenRosa server. Collect reads a QR code's text as
//! settings JSON compressed with zlib and written in base64, the format its own *Share
//! settings* screen produces. Settings a code leaves out are reset to their defaults when
//! scanned, so the code carries only what Vigie needs to set.

use std::io::Write;

use base64::Engine;

/// The settings JSON for a device: the server (its key in the URL, so no user name or password),
/// forms kept as the server has them and sent as soon as a network is found, and the project's
/// name as Collect's project switcher shows it.
pub fn settings(server_url: &str, project: &str) -> serde_json::Value {
    serde_json::json!({
        "general": {
            "server_url": server_url,
            "form_update_mode": "match_exactly",
            "autosend": "wifi_and_cellular",
        },
        "admin": {},
        "project": { "name": project, "icon": "V", "color": "#1f5f8b" },
    })
}

/// The text of the QR code: `settings` as Collect reads it (zlib, then base64).
pub fn settings_code(settings: &serde_json::Value) -> String {
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let compressed = zlib.write_all(settings.to_string().as_bytes()).and_then(|()| zlib.finish()).unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(compressed)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_code_is_the_settings_json_zlib_compressed_in_base64() {
        let settings = settings("https://vigie.example/openrosa/vigie_k", "Vigie DRC");
        let code = settings_code(&settings);
        let bytes = base64::engine::general_purpose::STANDARD.decode(&code).expect("base64");
        assert_eq!(&bytes[..1], b"\x78", "a zlib stream");
        let mut json = String::new();
        flate2::read::ZlibDecoder::new(&bytes[..]).read_to_string(&mut json).expect("zlib");
        let back: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(back["general"]["server_url"], "https://vigie.example/openrosa/vigie_k");
        assert_eq!(back, settings);
    }
}
