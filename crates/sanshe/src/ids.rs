//! `sanshe ids sample`: generated identifiers with our validators' verdicts, for the external
//! referee (python-stdnum) to check in CI. Half the codes are valid by construction, half are
//! corrupted in ways both standards define the same (see scripts/stdnum_crosscheck.py).

use chrono::NaiveDate;
use domain::ident::{id_check_char, uscc_check_char, IdNumber, Uscc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const FORBIDDEN: &[u8] = b"IOSVZ";
/// Region codes python-stdnum knows for every birth year we generate (it checks the county
/// existed in the birth year; we check regions only softly, so region corruption is not sampled).
const REGIONS: [&str; 6] = ["110101", "110105", "110108", "120101", "310101", "310104"];

fn pick(rng: &mut StdRng, set: &[u8]) -> char {
    set[rng.gen_range(0..set.len())] as char
}

fn uscc(rng: &mut StdRng) -> String {
    // Authorities A, N and Y are left out: stdnum requires digits in the first 8 positions.
    let mut s = String::new();
    s.push(pick(rng, b"123456789"));
    s.push(pick(rng, b"123456789"));
    for _ in 0..6 {
        s.push(pick(rng, b"0123456789"));
    }
    for _ in 0..9 {
        s.push(pick(rng, ALPHABET));
    }
    let c = uscc_check_char(&s).unwrap_or('0');
    s.push(c);
    s
}

fn corrupt_uscc(rng: &mut StdRng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    match rng.gen_range(0..6) {
        0 => {
            // Substitute one character at positions 3–18 within its own character set.
            let i = rng.gen_range(2..18);
            let set: &[u8] = if i < 8 { b"0123456789" } else { ALPHABET };
            let old = c[i];
            while c[i] == old {
                c[i] = pick(rng, set);
            }
        }
        1 => {
            let i = rng.gen_range(8..18);
            c[i] = pick(rng, FORBIDDEN);
        }
        2 => {
            let i = rng.gen_range(2..8);
            c[i] = pick(rng, b"ABCDEFGHJKLMNPQRTUWXY");
        }
        3 => {
            let i = rng.gen_range(8..16);
            c.swap(i, i + 1);
        }
        4 => {
            c.truncate(rng.gen_range(10..18));
        }
        _ => {
            c.push(pick(rng, ALPHABET));
        }
    }
    c.into_iter().collect()
}

fn id_number(rng: &mut StdRng) -> String {
    let start = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap_or_default();
    let date = start + chrono::Duration::days(rng.gen_range(0..33_000));
    let first17 = format!(
        "{}{}{:03}",
        REGIONS[rng.gen_range(0..REGIONS.len())],
        date.format("%Y%m%d"),
        rng.gen_range(1..1000)
    );
    let c = id_check_char(&first17).unwrap_or('0');
    format!("{first17}{c}")
}

fn corrupt_id(rng: &mut StdRng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    match rng.gen_range(0..5) {
        0 => {
            // Any digit of the date, the sequence or the check.
            let i = rng.gen_range(6..18);
            let old = c[i];
            while c[i] == old {
                c[i] = pick(rng, b"0123456789X");
                if i < 17 && c[i] == 'X' {
                    c[i] = old;
                }
            }
        }
        1 => {
            // An impossible date with a correct check character.
            let bad = ["0230", "1301", "0431", "0000", "0632"][rng.gen_range(0..5)];
            let mut first17: String = c[..17].iter().collect();
            first17.replace_range(10..14, bad);
            let k = id_check_char(&first17).unwrap_or('0');
            c = format!("{first17}{k}").chars().collect();
        }
        2 => c.truncate(rng.gen_range(15..18)),
        3 => {
            let i = rng.gen_range(6..17);
            c[i] = 'A';
        }
        _ => {
            let i = rng.gen_range(6..16);
            c.swap(i, i + 1);
        }
    }
    c.into_iter().collect()
}

pub fn sample(count: usize, seed: u64) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let out = std::io::stdout();
    let mut w = std::io::BufWriter::new(out.lock());
    writeln!(w, "kind,code,ours")?;
    for i in 0..count {
        let corrupt = i % 2 == 1;
        if i % 4 < 2 {
            let mut s = uscc(&mut rng);
            if corrupt {
                s = corrupt_uscc(&mut rng, &s);
            }
            let ok = Uscc::parse(&s, "uscc").is_ok();
            writeln!(w, "uscc,{s},{}", if ok { "valid" } else { "invalid" })?;
        } else {
            let mut s = id_number(&mut rng);
            if corrupt {
                s = corrupt_id(&mut rng, &s);
            }
            let ok = IdNumber::parse(&s, "id", today).is_ok();
            writeln!(w, "ric,{s},{}", if ok { "valid" } else { "invalid" })?;
        }
    }
    Ok(())
}
