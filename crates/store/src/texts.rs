//! The report's texts and the recommendations followed from month to month, on either
//! database (`sql.rs`).

use vigie_core::Month;

use crate::sql::{Sql, args, audit};
use crate::{Actor, FollowUp, Recommendation, Result, StoreError};

pub(crate) fn report_texts(db: &mut dyn Sql, month: Month) -> Result<Vec<(String, String)>> {
    db.query(
        "reading report texts",
        "SELECT section, body FROM report_texts WHERE month = $1 ORDER BY section",
        args![month.to_string()],
    )?
    .iter()
    .map(|r| Ok((r.get(0)?, r.get(1)?)))
    .collect()
}

/// Sets a section's text for a month; a blank text removes it.
pub(crate) fn set_report_text(db: &mut dyn Sql, month: Month, section: &str, body: &str, actor: &Actor) -> Result<()> {
    let body = body.trim();
    let what = "writing a report text";
    if body.is_empty() {
        db.execute(
            what,
            "DELETE FROM report_texts WHERE month = $1 AND section = $2",
            args![month.to_string(), section],
        )?;
    } else {
        db.execute(
            what,
            "INSERT INTO report_texts (month, section, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (month, section) DO UPDATE SET body = excluded.body,
                updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            args![month.to_string(), section, body, crate::entity::now(), actor.name.as_str()],
        )?;
    }
    let id = format!("{month}/{section}");
    audit(db, actor, "report_text", "report_texts", &id, serde_json::json!({ "body": body }))
}

/// The recommendations open during `month`, each with its follow-ups up to that month.
pub(crate) fn recommendations(db: &mut dyn Sql, month: Month) -> Result<Vec<Recommendation>> {
    let what = "reading recommendations";
    let m = month.to_string();
    let month_of = |text: String| Month::parse(&text).unwrap_or(month);
    let mut out = db
        .query(
            what,
            "SELECT recommendation_id, actor, action, zone, opened, closed FROM recommendations
             WHERE opened <= $1 AND (closed IS NULL OR closed >= $1) ORDER BY recommendation_id",
            args![m.as_str()],
        )?
        .iter()
        .map(|r| {
            Ok(Recommendation {
                id: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                zone: r.get(3)?,
                opened: month_of(r.get(4)?),
                closed: r.get::<Option<String>>(5)?.map(month_of),
                follow_ups: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    for recommendation in &mut out {
        recommendation.follow_ups = db
            .query(
                what,
                "SELECT month, body, at, by FROM recommendation_follow_ups
                 WHERE recommendation_id = $1 AND month <= $2 ORDER BY follow_up_id",
                args![recommendation.id, m.as_str()],
            )?
            .iter()
            .map(|r| Ok(FollowUp { month: month_of(r.get(0)?), body: r.get(1)?, at: r.get(2)?, by: r.get(3)? }))
            .collect::<Result<_>>()?;
    }
    Ok(out)
}

pub(crate) fn add_recommendation(
    db: &mut dyn Sql,
    month: Month,
    who: &str,
    action: &str,
    zone: &str,
    actor: &Actor,
) -> Result<i64> {
    let (who, action, zone) = crate::recommendation_fields(who, action, zone)?;
    let added = db.query(
        "adding a recommendation",
        "INSERT INTO recommendations (actor, action, zone, opened, created_by) VALUES ($1, $2, $3, $4, $5)
         RETURNING recommendation_id",
        args![who, action, zone, month.to_string(), actor.name.as_str()],
    )?;
    let id: i64 = added.first().map_or(Ok(0), |r| r.get(0))?;
    let details = serde_json::json!({ "actor": who, "action": action, "zone": zone, "month": month.to_string() });
    audit(db, actor, "recommendation_add", "recommendations", &id.to_string(), details)?;
    Ok(id)
}

pub(crate) fn follow_up(db: &mut dyn Sql, id: i64, month: Month, body: &str, actor: &Actor) -> Result<()> {
    let body = crate::follow_up_body(body)?;
    let added = db.execute(
        "adding a follow-up",
        "INSERT INTO recommendation_follow_ups (recommendation_id, month, body, at, by)
         SELECT recommendation_id, $2, $3, $4, $5 FROM recommendations WHERE recommendation_id = $1",
        args![id, month.to_string(), body, crate::entity::now(), actor.name.as_str()],
    )?;
    if added == 0 {
        return Err(StoreError::NotFound(format!("no recommendation {id}")));
    }
    let details = serde_json::json!({ "month": month.to_string(), "body": body });
    audit(db, actor, "recommendation_follow_up", "recommendations", &id.to_string(), details)
}

pub(crate) fn close_recommendation(db: &mut dyn Sql, id: i64, month: Month, actor: &Actor) -> Result<()> {
    let closed = db.execute(
        "closing a recommendation",
        "UPDATE recommendations SET closed = $2 WHERE recommendation_id = $1 AND closed IS NULL",
        args![id, month.to_string()],
    )?;
    if closed == 0 {
        return Err(StoreError::NotFound(format!("no open recommendation {id}")));
    }
    let details = serde_json::json!({ "month": month.to_string() });
    audit(db, actor, "recommendation_close", "recommendations", &id.to_string(), details)
}
