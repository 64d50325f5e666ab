//! Stored records read back, on either database (`sql.rs`): by id, key or organisation, by
//! dates, as the aggregation layer's coded text, as a download's cells, and the whole database
//! for a backup. Stored text went through the import's parse on its way in, so a row that no
//! longer parses is reported, never skipped.

use vigie_core::aggregate::FactText;
use vigie_core::{Alert, Catalog, Month, RiskAnswer, Violation};

use crate::entity::{ExportLayout, coded_text, coded_violations_sql, entity_of, risk_answer_values, select_list};
use crate::portable::{Kind, TABLES, Table, Value};
use crate::sql::{Cells, Sql, args};
use crate::{Record, RecordKind, Result, Rows, Select, StoreError};

/// Cells `range` of a row as text (empty or NULL: absent).
fn texts(cells: &dyn Cells, range: std::ops::Range<usize>) -> Result<Vec<Option<String>>> {
    range.map(|i| Ok(cells.text(i)?.map(str::to_owned))).collect()
}

pub(crate) fn records(
    db: &mut dyn Sql,
    catalog: &Catalog,
    kind: RecordKind,
    select: Select<'_>,
) -> Result<Vec<(u32, Record)>> {
    let entity = entity_of(kind);
    let schema = crate::schema(kind, catalog);
    let what = format!("reading {}", entity.table);
    // Violations and alerts are stored as their format's columns (less the derived ones); risk
    // answers keep theirs in one column, spread back by `risk_answer_values`.
    let columns = match kind {
        RecordKind::RiskAnswers => entity.columns.join(", "),
        _ => select_list(&schema),
    };
    let width = columns.split(", ").count();
    let key = db.dialect().key(entity.table);
    let (condition, params) = match select {
        Select::Id(id) => (format!("{} = $1", entity.key), vec![Value::from(id)]),
        // Keys are numbers of ours: written in the statement, whatever their number.
        Select::Keys(keys) => {
            let list: Vec<String> = keys.iter().map(u32::to_string).collect();
            (format!("{key} IN ({})", if list.is_empty() { "NULL".to_owned() } else { list.join(", ") }), Vec::new())
        }
        Select::Organization(organization) => {
            ("CAST($1 AS TEXT) IS NULL OR organization = $1".to_owned(), vec![Value::from(organization)])
        }
        Select::Batch { batch, after, organization, .. } => (
            format!("batch_id = $1 AND {key} > $2 AND (CAST($3 AS TEXT) IS NULL OR organization = $3)"),
            vec![Value::Int(batch), Value::Int(i64::from(after)), Value::from(organization)],
        ),
    };
    let limit = match select {
        Select::Batch { limit, .. } => format!(" LIMIT {limit}"),
        _ => String::new(),
    };
    let sql = format!("SELECT {key}, {columns} FROM {} WHERE {condition} ORDER BY {key}{limit}", entity.table);
    let mut out = Vec::new();
    db.for_each(&what, &sql, &params, &mut |cells| {
        let key = cells.value(0)?;
        let texts = texts(cells, 1..1 + width)?;
        let values = match kind {
            RecordKind::RiskAnswers => risk_answer_values(&schema, &texts),
            _ => texts.iter().map(|t| t.as_deref().filter(|s| !s.is_empty())).collect(),
        };
        let record = Record::parse(kind, &values, catalog, chrono::NaiveDate::MAX)
            .map_err(|e| StoreError::Conflict(format!("stored {} row {key:?} no longer valid: {e:?}", entity.table)))?;
        let key = match key {
            Value::Int(n) => u32::try_from(n).unwrap_or(u32::MAX),
            _ => u32::MAX,
        };
        out.push((key, record));
        Ok(true)
    })?;
    if let Select::Keys(keys) = select {
        crate::in_order_of(&mut out, keys);
    }
    Ok(out)
}

/// The rows `table_where` selects, each parsed by `parse` from the schema's columns.
fn read_records<T>(
    db: &mut dyn Sql,
    schema: &vigie_core::records::Schema,
    table_where: &str,
    params: &[Value],
    parse: impl Fn(&[Option<&str>]) -> std::result::Result<T, Vec<vigie_core::FieldError>>,
) -> Result<Vec<T>> {
    let what = table_where.split(' ').next().unwrap_or("rows");
    let sql = format!("SELECT {} FROM {table_where}", select_list(schema));
    let mut out = Vec::new();
    db.for_each(&format!("reading {what}"), &sql, params, &mut |cells| {
        let texts = texts(cells, 0..schema.columns.len())?;
        let values: Vec<Option<&str>> = texts.iter().map(|t| t.as_deref().filter(|s| !s.is_empty())).collect();
        out.push(
            parse(&values).map_err(|e| {
                StoreError::Conflict(format!("stored {what} row {:?} no longer valid: {e:?}", texts[0]))
            })?,
        );
        Ok(true)
    })?;
    Ok(out)
}

pub(crate) fn violations_between(
    db: &mut dyn Sql,
    catalog: &Catalog,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<Violation>> {
    let schema = vigie_core::records::violation_schema();
    // Those that count: not rejected, not another's duplicate.
    let rows =
        "violations WHERE incident_date BETWEEN $1 AND $2 AND verification <> 'rejected' AND duplicate_of IS NULL
                ORDER BY id";
    read_records(db, &schema, rows, args![from.to_string(), to.to_string()], |v| {
        Violation::parse(v, catalog, chrono::NaiveDate::MAX)
    })
}

pub(crate) fn alerts_between(
    db: &mut dyn Sql,
    catalog: &Catalog,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<Alert>> {
    let schema = vigie_core::records::alert_schema();
    let rows = "alerts WHERE alert_date BETWEEN $1 AND $2 ORDER BY alert_date, alert_id";
    read_records(db, &schema, rows, args![from.to_string(), to.to_string()], |v| {
        Alert::parse(v, catalog, chrono::NaiveDate::MAX)
    })
}

pub(crate) fn risk_answers_between(
    db: &mut dyn Sql,
    catalog: &Catalog,
    from: Month,
    to: Month,
) -> Result<Vec<RiskAnswer>> {
    let schema = vigie_core::records::risk_answer_schema(catalog);
    let mut out = Vec::new();
    db.for_each(
        "reading risk answers",
        "SELECT answer_id, month, admin3_pcode, answers, organization FROM risk_answers
         WHERE month BETWEEN $1 AND $2 ORDER BY month, admin3_pcode, answer_id",
        args![from.to_string(), to.to_string()],
        &mut |cells| {
            let texts = texts(cells, 0..5)?;
            let answer = RiskAnswer::parse(&risk_answer_values(&schema, &texts), catalog, chrono::NaiveDate::MAX)
                .map_err(|e| {
                    StoreError::Conflict(format!("stored risk answer {:?} no longer valid: {e:?}", texts[0]))
                })?;
            out.push(answer);
            Ok(true)
        },
    )?;
    Ok(out)
}

/// The coded fields of the violations `rows` names, streamed to `visit` with their storage key.
pub(crate) fn for_each_coded_violation(
    db: &mut dyn Sql,
    rows: Rows,
    visit: &mut dyn FnMut(u32, &FactText<'_>),
) -> Result<()> {
    let (condition, params) = match rows {
        Rows::All => ("1 = 1", Vec::new()),
        Rows::Batch(batch) => ("batch_id = $1", vec![Value::Int(batch)]),
        Rows::Row(row) => ("id = $1", vec![Value::Int(row)]),
    };
    db.for_each("reading violations", &coded_violations_sql(condition), &params, &mut |cells| {
        let key = match cells.value(0)? {
            Value::Int(n) => {
                u32::try_from(n).map_err(|_| StoreError::Unsupported(format!("row id {n} out of range")))?
            }
            other => return Err(StoreError::Unsupported(format!("row id {other:?}"))),
        };
        // A cell that is not text is a damaged row, said as such: never read as "".
        let text = |i: usize| -> Result<&str> {
            match cells.text(i) {
                Ok(Some(text)) => Ok(text),
                Ok(None) => Err(StoreError::Unreadable {
                    what: format!("violation row {key}, column {i}"),
                    reason: "NULL where text is stored".into(),
                }),
                Err(StoreError::Unreadable { what, reason }) => {
                    Err(StoreError::Unreadable { what: format!("violation row {key}, {what}"), reason })
                }
                Err(other) => Err(other),
            }
        };
        visit(key, &coded_text(text)?);
        Ok(true)
    })
}

/// The stored violations or alerts with a key in `keys` that `keep` accepts, each as its
/// exchange format's cells, handed to `row` (which stops by answering `false`): how many.
pub(crate) fn export(
    db: &mut dyn Sql,
    catalog: &Catalog,
    kind: RecordKind,
    keys: std::ops::Range<u32>,
    keep: &dyn Fn(u32) -> bool,
    row: &mut dyn FnMut(&[&[u8]]) -> bool,
) -> Result<u64> {
    let layout = ExportLayout::new(catalog, kind)?;
    let table = kind.table();
    let key = db.dialect().key(table);
    let sql = format!("SELECT {key}, {} FROM {table} WHERE {key} >= $1 AND {key} < $2 ORDER BY {key}", layout.select);
    let mut written = 0;
    db.for_each(
        &format!("exporting {table}"),
        &sql,
        args![i64::from(keys.start), i64::from(keys.end)],
        &mut |found| {
            let key = match found.value(0)? {
                Value::Int(n) => u32::try_from(n).unwrap_or(u32::MAX),
                _ => u32::MAX,
            };
            if !keep(key) {
                return Ok(true);
            }
            let mut cells: [&[u8]; ExportLayout::WIDEST] = [b""; ExportLayout::WIDEST];
            for (column, &i) in layout.stored.iter().enumerate() {
                if let Some(text) = found.text(column + 1)? {
                    cells[i] = text.as_bytes();
                }
            }
            layout.derive(&mut cells);
            written += 1;
            Ok(row(&cells[..layout.width]))
        },
    )?;
    Ok(written)
}

/// Every row of every table, in the portable format's order and kinds, each table in key order
/// (text keys in byte order, so that both stores dump alike). The caller holds one snapshot.
pub(crate) fn dump(db: &mut dyn Sql, row: &mut dyn FnMut(&'static Table, Vec<Value>) -> Result<()>) -> Result<()> {
    let dialect = db.dialect();
    for table in &TABLES {
        let columns: Vec<&str> = table.columns.iter().map(|(c, _)| dialect.stored(table, c)).collect();
        let order: Vec<String> = table.columns[..2]
            .iter()
            .map(|(c, kind)| {
                let c = dialect.stored(table, c);
                if *kind == Kind::Text { dialect.byte_order(c) } else { c.to_owned() }
            })
            .collect();
        let sql = format!("SELECT {} FROM {} ORDER BY {}", columns.join(", "), table.name, order.join(", "));
        db.for_each(&format!("reading {}", table.name), &sql, &[], &mut |found| {
            let mut values = Vec::with_capacity(table.columns.len());
            for (i, (name, kind)) in table.columns.iter().enumerate() {
                values.push(match (found.value(i)?, kind) {
                    (Value::Null, _) => Value::Null,
                    (Value::Int(n), Kind::Bool) => Value::Bool(n != 0),
                    (Value::Int(n), Kind::Text) => Value::Text(n.to_string()),
                    (value @ Value::Int(_), Kind::Int)
                    | (value @ Value::Bool(_), Kind::Bool)
                    | (value @ Value::Text(_), Kind::Text) => value,
                    (other, _) => {
                        return Err(StoreError::Unreadable {
                            what: format!("{} column {name}", table.name),
                            reason: format!("{other:?} where {kind:?} is stored"),
                        });
                    }
                });
            }
            row(table, values)?;
            Ok(true)
        })?;
    }
    Ok(())
}
