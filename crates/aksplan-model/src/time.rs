//! Dates, timestamps and durations as the plan language writes them.

use jiff::civil::Date;

/// `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, String> {
    if text.len() != 10 {
        return Err(format!("`{text}` is not a date in the form YYYY-MM-DD"));
    }
    text.parse::<Date>()
        .map_err(|_| format!("`{text}` is not a valid date (YYYY-MM-DD)"))
}

/// RFC 3339 with an explicit offset: `2026-12-05T22:00:00+01:00` or `...Z`.
pub fn parse_timestamp(text: &str) -> Result<jiff::Timestamp, String> {
    text.parse::<jiff::Timestamp>().map_err(|_| {
        format!("`{text}` is not a timestamp with an offset, such as `2026-12-05T22:00:00+01:00`")
    })
}

/// A duration such as `48h`, `30m`, `1d12h` or `90s`, in seconds. Units in decreasing order,
/// each at most once.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let err = || format!("`{text}` is not a duration such as `48h`, `30m` or `1d12h`");
    let mut rest = text;
    let mut total: u64 = 0;
    let mut last_rank = 0;
    if rest.is_empty() {
        return Err(err());
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return Err(err());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| err())?;
        let unit = rest[digits..].chars().next().ok_or_else(err)?;
        let (rank, seconds) = match unit {
            'd' => (1, 86_400),
            'h' => (2, 3_600),
            'm' => (3, 60),
            's' => (4, 1),
            _ => return Err(err()),
        };
        if rank <= last_rank {
            return Err(err());
        }
        last_rank = rank;
        total += number * seconds;
        rest = &rest[digits + 1..];
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("48h"), Ok(172_800));
        assert_eq!(parse_duration("1d12h"), Ok(129_600));
        assert_eq!(parse_duration("30m"), Ok(1_800));
        for bad in ["", "h", "12", "1h1d", "1h1h", "1w", "-1h", "1.5h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_and_timestamps() {
        assert!(parse_date("2026-12-01").is_ok());
        assert!(parse_date("2026-13-01").is_err());
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2026-1-1").is_err());
        assert!(parse_timestamp("2026-12-05T22:00:00+01:00").is_ok());
        assert!(parse_timestamp("2026-12-05T22:00:00Z").is_ok());
        assert!(parse_timestamp("2026-12-05T22:00:00").is_err());
    }
}
