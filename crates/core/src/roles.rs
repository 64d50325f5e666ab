//! Who may do what: the four roles of a shared Vigie and each one's permissions, written once.
//! The server's route table allows routes by these groups, and every page and handler asks the
//! same methods: no role list is written anywhere else.

use crate::aggregate::Sight;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Users, organisations, settings, the audit log.
    Admin,
    /// All data, corrections, publishing reports.
    ImOfficer,
    /// Its own organisation's records, and everyone's aggregates.
    Partner,
    /// Aggregates and reports only.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::ImOfficer, Role::Partner, Role::Viewer];
    /// Who runs the deployment: accounts, organisations, settings, the audit log.
    pub const ADMINS: &'static [Role] = &[Role::Admin];
    /// Who analyses every partner's data: the report's own words, the incident list, verifying.
    pub const ANALYSTS: &'static [Role] = &[Role::Admin, Role::ImOfficer];
    /// Who decides a violation's verification status (and signs a month off).
    pub const VERIFIERS: &'static [Role] = &[Role::Admin, Role::ImOfficer];
    /// Who sees and writes records one by one (a partner, only its own organisation's).
    pub const WITH_RECORDS: &'static [Role] = &[Role::Admin, Role::ImOfficer, Role::Partner];

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ImOfficer => "im_officer",
            Role::Partner => "partner",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Whether it administers the deployment.
    pub fn administers(self) -> bool {
        Role::ADMINS.contains(&self)
    }

    /// Whether it analyses every partner's data: writes the report's texts, downloads the
    /// incident list (which names every organisation's incidents), verifies records.
    pub fn analyses(self) -> bool {
        Role::ANALYSTS.contains(&self)
    }

    /// Whether it may download the month's incident list.
    pub fn may_download_incident_list(self) -> bool {
        self.analyses()
    }

    /// Whether it may verify records (and sign a month off).
    pub fn may_verify(self) -> bool {
        Role::VERIFIERS.contains(&self)
    }

    /// Whether it may reopen a signed-off month (its published versions stay).
    pub fn may_reopen(self) -> bool {
        self.administers()
    }

    /// Whether it opens records one by one (a partner, only its own organisation's).
    pub fn handles_records(self) -> bool {
        Role::WITH_RECORDS.contains(&self)
    }

    /// Whose records it sees one by one, for a user of `organization` (a partner's); the rest
    /// reach it only through the disclosure rule.
    pub fn sight(self, organization: Option<&str>) -> Sight {
        match (self, organization) {
            (Role::Admin | Role::ImOfficer, _) => Sight::Everything,
            (Role::Partner, Some(own)) => Sight::Organization(own.to_owned()),
            _ => Sight::Nothing,
        }
    }

    /// Whether it may see one record of `organization`, for a user of `own` (a partner's).
    pub fn may_see_record(self, own: Option<&str>, organization: &str) -> bool {
        match self.sight(own) {
            Sight::Everything => true,
            Sight::Organization(own) => own == organization,
            Sight::Nothing => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_sees_what_its_permissions_say() {
        assert!(Role::Admin.administers() && !Role::ImOfficer.administers());
        assert!(Role::ImOfficer.may_download_incident_list() && !Role::Partner.may_download_incident_list());
        assert!(Role::Partner.may_see_record(Some("DRC"), "DRC"));
        assert!(!Role::Partner.may_see_record(Some("DRC"), "NRC"));
        assert!(!Role::Partner.may_see_record(None, "DRC"), "a partner without an organisation sees none");
        assert!(!Role::Viewer.may_see_record(None, "DRC") && !Role::Viewer.handles_records());
        assert!(Role::ImOfficer.may_see_record(None, "NRC"));
    }
}
