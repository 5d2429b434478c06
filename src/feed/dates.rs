//! Feed dates in every form found in the wild: RFC 822/2822 with or without day names, obsolete
//! and military zones, two-digit years, RFC 850, asctime, ISO 8601 and W3CDTF (with or without a
//! zone, down to a bare year). Anything else is no date: the item is kept, never dropped.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Parses a date; None when it cannot be read.
pub fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return None;
    }
    parse_iso(&s)
        .or_else(|| parse_rfc822_like(&s))
        .filter(|d| d.timestamp() > -62_135_596_800)
}

fn parse_iso(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    let t = s.replacen(' ', "T", 1);
    if let Ok(d) = DateTime::parse_from_rfc3339(&t) {
        return Some(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y%m%dT%H%M%S%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(&t, f) {
            return Some(d.with_timezone(&Utc));
        }
    }
    // No zone: read as UTC.
    let t = t.trim_end_matches('Z');
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y%m%dT%H%M%S",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Some(Utc.from_utc_datetime(&d));
        }
    }
    let date = |y: &str, m: &str, d: &str| -> Option<DateTime<Utc>> {
        let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
        Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?))
    };
    let parts: Vec<&str> = t.split('-').collect();
    let all_digits = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && parts.iter().all(all_digits) => date(y, m, d),
        [y, m] if y.len() == 4 && parts.iter().all(all_digits) => date(y, m, "1"),
        [y] if y.len() == 4 && all_digits(y) => date(y, "1", "1"),
        _ => None,
    }
}

/// Zone names RFC 822 allows (and some it does not), as offsets in minutes.
fn zone_offset(zone: &str) -> Option<i32> {
    let hours = match zone.to_ascii_uppercase().as_str() {
        "GMT" | "UT" | "UTC" | "Z" | "WET" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "AKST" => -9,
        "AKDT" => -8,
        "HST" => -10,
        "BST" | "CET" => 1,
        "CEST" | "EET" => 2,
        "EEST" | "MSK" => 3,
        "IST" => return Some(5 * 60 + 30),
        "JST" | "KST" => 9,
        "AEST" => 10,
        "AEDT" => 11,
        // RFC 822's military zones were defined with the wrong sign; RFC 2822 says to read them
        // as an unknown zone, i.e. UTC.
        z if z.len() == 1 && z.chars().all(|c| c.is_ascii_alphabetic() && c != 'J') => 0,
        _ => return None,
    };
    Some(hours * 60)
}

fn parse_rfc822_like(s: &str) -> Option<DateTime<Utc>> {
    let mut words: Vec<String> = s.replace(',', " ").split_whitespace().map(str::to_string).collect();
    // Day names ("Mon", "Monday") carry nothing and are often wrong.
    if words
        .first()
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_alphabetic()) && w.len() >= 3 && !is_month(w))
    {
        words.remove(0);
    }
    // RFC 850: "06-Sep-10".
    if words.first().is_some_and(|w| w.matches('-').count() == 2) {
        let first = words.remove(0);
        for (i, p) in first.split('-').enumerate() {
            words.insert(i, p.to_string());
        }
    }
    // asctime: "Sep 6 16:45:00 2010" → "6 Sep 2010 16:45:00".
    if words.first().is_some_and(|w| is_month(w)) && words.len() >= 4 {
        let (mon, day, time, year) = (words[0].clone(), words[1].clone(), words[2].clone(), words[3].clone());
        words.splice(0..4, [day, mon, year, time]);
    }
    // The zone: an offset, a name, or nothing (UTC).
    let mut offset_minutes = 0;
    if let Some(last) = words.last().cloned() {
        if let Some(sign) = last.strip_prefix(['+', '-']) {
            let digits: String = sign.chars().filter(char::is_ascii_digit).collect();
            if digits.len() == 4 {
                let (h, m): (i32, i32) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
                offset_minutes = (h * 60 + m) * if last.starts_with('-') { -1 } else { 1 };
                words.pop();
            }
        } else if let Some(off) = zone_offset(&last) {
            offset_minutes = off;
            words.pop();
        }
    }
    if words.len() < 3 {
        return None;
    }
    let day: u32 = words[0].parse().ok()?;
    let month = month_number(&words[1])?;
    let mut year: i32 = words[2].parse().ok()?;
    if words[2].len() <= 2 {
        year += if year < 50 { 2000 } else { 1900 };
    }
    let (mut h, mut m, mut sec) = (0, 0, 0);
    if let Some(time) = words.get(3) {
        let parts: Vec<u32> = time.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
        match parts.as_slice() {
            [hh, mm] => (h, m) = (*hh, *mm),
            [hh, mm, ss] => (h, m, sec) = (*hh, *mm, (*ss).min(59)),
            _ => return None,
        }
    }
    let naive = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(h, m, sec)?;
    let zone = FixedOffset::east_opt(offset_minutes * 60)?;
    Some(zone.from_local_datetime(&naive).single()?.with_timezone(&Utc))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_number(w: &str) -> Option<u32> {
    let w = w.to_ascii_lowercase();
    let prefix = w.get(..3)?;
    MONTHS.iter().position(|m| *m == prefix).map(|i| i as u32 + 1)
}

fn is_month(w: &str) -> bool {
    month_number(w).is_some() && w.len() <= 9 && !matches!(w.to_ascii_lowercase().as_str(), "mon" | "monday")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        parse_date(s).map(|d| d.to_rfc3339()).unwrap_or_else(|| "none".into())
    }

    #[test]
    fn every_common_form() {
        let cases = [
            ("Mon, 06 Sep 2010 16:45:00 +0000", "2010-09-06T16:45:00+00:00"),
            ("06 Sep 2010 16:45:00 +0000", "2010-09-06T16:45:00+00:00"),
            ("Mon, 06 Sep 2010 16:45:00 EST", "2010-09-06T21:45:00+00:00"),
            ("Mon, 06 Sep 2010 16:45:00 PDT", "2010-09-06T23:45:00+00:00"),
            ("Mon, 06 Sep 2010 16:45:00 GMT", "2010-09-06T16:45:00+00:00"),
            ("Mon, 06 Sep 2010 16:45:00 Z", "2010-09-06T16:45:00+00:00"),
            ("Mon, 06 Sep 2010 16:45:00 A", "2010-09-06T16:45:00+00:00"),
            ("Mon, 6 Sep 10 16:45:00 +0200", "2010-09-06T14:45:00+00:00"),
            ("Sat, 07 Sep 02 00:00:01 GMT", "2002-09-07T00:00:01+00:00"),
            ("Monday, 06-Sep-10 16:45:00 GMT", "2010-09-06T16:45:00+00:00"),
            ("Mon Sep  6 16:45:00 2010", "2010-09-06T16:45:00+00:00"),
            ("6 Sep 2010 16:45 +0000", "2010-09-06T16:45:00+00:00"),
            ("Mon, 06 September 2010 16:45:00 +0530", "2010-09-06T11:15:00+00:00"),
            ("mon, 06 sep 2010 16:45:00 gmt", "2010-09-06T16:45:00+00:00"),
            ("06 Sep 2010", "2010-09-06T00:00:00+00:00"),
            ("2010-09-06T16:45:00Z", "2010-09-06T16:45:00+00:00"),
            ("2010-09-06T16:45:00.123+05:30", "2010-09-06T11:15:00.123+00:00"),
            ("2010-09-06T16:45:00+0530", "2010-09-06T11:15:00+00:00"),
            ("2010-09-06 16:45:00", "2010-09-06T16:45:00+00:00"),
            ("2010-09-06T16:45", "2010-09-06T16:45:00+00:00"),
            ("2010-09-06", "2010-09-06T00:00:00+00:00"),
            ("2010-09", "2010-09-01T00:00:00+00:00"),
            ("2010", "2010-01-01T00:00:00+00:00"),
            ("20100906T164500Z", "2010-09-06T16:45:00+00:00"),
        ];
        for (input, want) in cases {
            assert_eq!(iso(input), want, "{input}");
        }
        for bad in [
            "",
            "yesterday-ish",
            "32 Sep 2010 10:00:00 GMT",
            "Mon, 06 Foo 2010",
            "2010-13-45",
            "12:00",
        ] {
            assert_eq!(iso(bad), "none", "{bad}");
        }
    }
}
