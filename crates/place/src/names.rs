//! Names compared the way people write them: no case, no accents, no punctuation.

/// A name reduced for comparison: lower case, accents dropped, apostrophes removed (N'Tjiba,
/// Ntjiba), every other run of punctuation or spaces one space. `fold("Ségou-Commune ")` is
/// `"segou commune"`.
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut space = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            'œ' => {
                out.push('o');
                'e'
            }
            'æ' => {
                out.push('a');
                'e'
            }
            '\'' | '’' | '`' | 'ʼ' => continue,
            // Combining accents (a decomposed "é") disappear with their mark.
            '\u{300}'..='\u{36f}' => continue,
            c => c,
        };
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

/// A unit's name reduced further, as people write units: [`fold`]ed, Roman numerals as Arabic
/// ones (`Dougoutene I` is `Dougoutene 1`), and without the words that say what kind of unit it
/// is (`commune`, `commune urbaine de`, `cercle de`, `region de`). `Commune I` is `1`.
pub fn unit_key(name: &str) -> String {
    const ROMAN: [&str; 10] = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"];
    const KIND: [&str; 7] = ["commune", "urbaine", "rurale", "cercle", "region", "de", "du"];
    let folded = fold(name);
    let words: Vec<&str> = folded.split(' ').collect();
    // The kind's words go only where they name the kind: `de` and `du` after one of them.
    let mut kept = Vec::with_capacity(words.len());
    let mut after_kind = false;
    for word in &words {
        let kind = KIND[..5].contains(word) || (after_kind && KIND[5..].contains(word));
        after_kind = kind;
        if !kind {
            kept.push(match ROMAN.iter().position(|r| r == word) {
                Some(n) => (n + 1).to_string(),
                None => (*word).to_owned(),
            });
        }
    }
    // A name that is nothing but those words stays as it was.
    if kept.is_empty() { folded } else { kept.join(" ") }
}

/// How many single-character edits (insert, delete, substitute, swap two neighbours) turn `a`
/// into `b`, stopping past `limit` (`limit + 1` then).
pub fn edits(a: &str, b: &str, limit: usize) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut rows = vec![(0..=b.len()).collect::<Vec<usize>>(); 3];
    for i in 1..=a.len() {
        let (two, one, now) = ((i + 1) % 3, (i + 2) % 3, i % 3);
        rows[now][0] = i;
        let mut best = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[one][j] + 1).min(rows[now][j - 1] + 1).min(rows[one][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[two][j - 2] + 1);
            }
            rows[now][j] = d;
            best = best.min(d);
        }
        if best > limit {
            return limit + 1;
        }
    }
    rows[a.len() % 3][b.len()].min(limit + 1)
}

#[cfg(test)]
mod tests {
    use super::{edits, fold, unit_key};

    #[test]
    fn case_accents_and_punctuation_do_not_count() {
        assert_eq!(fold("Ségou-Commune "), "segou commune");
        assert_eq!(fold("  N'Tjiba"), "ntjiba");
        assert_eq!(fold("BAROUÉLI"), "baroueli");
        assert_eq!(fold("Barou\u{65}\u{301}li"), "baroueli");
        assert_eq!(fold("Commune   I"), "commune i");
        assert_ne!(fold("Kayes"), fold("Kayes Commune"));
    }

    #[test]
    fn numerals_and_the_words_for_a_kind_of_unit_do_not_count_in_a_unit_s_name() {
        assert_eq!(unit_key("Dougoutene I"), unit_key("Dougouténé 1"));
        assert_eq!(unit_key("Commune II"), "2");
        assert_eq!(unit_key("Commune urbaine de Kayes"), unit_key("Kayes Commune"));
        assert_eq!(unit_key("Cercle de Baraouéli"), "baraoueli");
        assert_eq!(unit_key("Région de Ménaka"), "menaka");
        assert_eq!(unit_key("Vicomte"), "vicomte", "a numeral is a word of its own");
        assert_eq!(unit_key("Ville de Kidal"), "ville de kidal", "`de` goes only after a kind");
        assert_eq!(unit_key("Commune"), "commune", "a name of nothing but those words stays");
    }

    #[test]
    fn edits_count_single_character_changes_up_to_a_limit() {
        assert_eq!(edits("hamzakoma", "hamzakona", 2), 1);
        assert_eq!(edits("diondiori", "diondiori", 2), 0);
        assert_eq!(edits("baraoueli", "baroueli", 2), 1);
        assert_eq!(edits("tominian", "tomnian", 2), 1);
        assert_eq!(edits("ab", "ba", 2), 1, "two neighbours swapped are one edit");
        assert_eq!(edits("kayes", "mopti", 2), 3, "past the limit: limit + 1");
    }
}
