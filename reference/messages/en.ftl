# Vigie's words in English. See fr.ftl for how a catalog is written; every id there is here.

## Numbers and lists

number-group-separator = ,
number-decimal-separator = .
percent = { $value }%
list-and = { $first } and { $last }
list-separator = { ", " }
list-group-separator = { "; " }
label-case-in-sentence = lower
quoted = “{ $text }”

## Months and dates

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
month-short-1 = Jan
month-short-2 = Feb
month-short-3 = Mar
month-short-4 = Apr
month-short-5 = May
month-short-6 = Jun
month-short-7 = Jul
month-short-8 = Aug
month-short-9 = Sep
month-short-10 = Oct
month-short-11 = Nov
month-short-12 = Dec
month-year = { $month } { $year }

## Shared phrases

of-now = { $now }
of-then = { $then }
of-region = { $region }
total = Total
trend = { $trend ->
    [up] up
    [down] down
   *[stable] stable
}
were-documented = { $count ->
    [0] no violation was documented
    [one] { $count } violation was documented
   *[other] { $count } violations were documented
}
ranked-item = { $name } ({ $count })
tie-regions = { $names } ({ $count } each)
tie-cercles = { $names } ({ $count } each)
share-item = { $name } ({ $count }, { $share })
source = Source: protection monitoring system, { $month } (Vigie)

## Title

report-title = Monthly protection monitoring report — { $country }
report-subtitle = No. { $number } – { $month }
report-subtitle-public = No. { $number } – { $month } (public version)
# The PDF's table of contents and figure numbering (« Fig. 3 »).
contents = Contents
figure-supplement = Figure
analysis-mark = Analysis
file-report = report-{ $month }
file-incidents = annex-incidents-{ $month }

## Typology

figure-data = The figure's data
data-month = Month
data-violations = Violations
data-category = Category
data-cercle = Cercle
data-commune = Commune
data-region = Region
data-level = Risk level
data-coverage = Coverage
data-communes = Communes
data-total = Total
heading-typology = Typology of violations
typology-item = { $code }. { $category }: { $subtypes }.

## I – Overview

heading-overview = I – Overview of the protection environment
overview-month-count = Violations in { $month }: { $count }
overview-year-count = Violations since { $january }: { $count }
chart-per-month = Violations documented per month
overview-text = Since the beginning of { $year }, the protection monitoring system has documented { $year-count ->
    [one] { $year-count } violation
   *[other] { $year-count } violations
}. In { $now }, { were-documented }, against { $previous } in { $then } ({ trend }).
overview-categories = The most documented categories this month are { $categories }.
overview-top-region = With { $share } of the violations documented, { $region } is the region that recorded the most.
overview-top-regions = With { $share } of the violations documented, { $region } is the region that recorded the most, followed by { $others }.
overview-other-region = { $region } ({ $share })

## II – Categories

heading-categories = II – Trends by category
categories-table-label = Violation categories (documented)
category-none = No violation was documented in this category in { $now } (against { $previous } in { $then }).
category-text = In { $now }, { were-documented } in this category, { $share } of all violations of the month ({ trend } from { $then }: { $previous }). The most documented types are: { $types }. The regions most affected are { $regions }.

## III – Regions

heading-regions = III – Trends by region
region = Region
heading-region = { $region } region
region-text = In { $now }, { were-documented } in { $region }, against { $previous } in { $then } ({ trend }), { $share } of the month's violations.
chart-region-categories = Violations by category, { $region }
region-cercles = Most affected cercles: { $cercles }.
regions-quiet = No violation was documented in { $now } in the following regions: { $regions }.

## IV – Risk index

heading-signals = IV – Early-warning signals
signals-about = What the months before did not lead one to expect, computed from the same data as the tables: an unusual rise in a cercle or region (above the most its months before, up to { $months }, led one to expect, at { $quantile }), a commune hit after { $quiet } months without violations, a sentinel event, a worsening risk level. They are alerts to check, not conclusions.
sentinel-child-recruitment = Child recruitment by armed forces or groups
sentinel-sexual-violence = Sexual violence
sentinel-mass-killing = Several people killed in one incident
signals-about-public = Where the month departs from what its months before led one to expect: unusual rises, communes newly hit, sentinel events, worsening risk levels. They are alerts to check, not conclusions.
signals-none = No early-warning signal in { $month }.
signals-intro = { $count ->
    [0] No early-warning signal in { $month }.
    [one] { $count } early-warning signal in { $month }.
   *[other] { $count } early-warning signals in { $month }.
}
signals-more = … and { $count } more, in the table.
signal-surge = { $place }: { $observed } violations of the category “{ $category }” in { $month }, when its { $months } months before led one to expect { $threshold } at most.
signal-new-area = { $place }: { $observed } violations in { $month }, after { $months } months without any.
signal-sentinel = { $place }: { $event } ({ $observed }).
signal-risk = { $place }: the risk level went from “{ $from }” to “{ $to }”.
signal-place = { $level ->
    [region] { $name } region
    [cercle] { $name } cercle
   *[commune] { $name } commune
}
signal-kind = { $kind ->
    [surge] Unusual rise
    [new_area] New area
    [sentinel] Sentinel event
   *[risk_deterioration] Worsening risk
}
signal-kind-header = Signal
signal-place-header = Place
signal-what-header = What
signal-observed-header = Violations this month
signal-threshold-header = Expected at most
signal-risk-what = Level { $from } → { $to }
map-signals = Map – Early-warning signals of { $month }
map-signals-none = No signal
heading-risk = V – Protection risk index
risk-legend-title = Protection risk index levels
risk-level = Level
risk-points = Points
risk-points-range = { $min } – { $max } points
risk-situation = Situation
risk-level-1-of-4 = The protection situation in this area is considered “stable”. Existing protection risks are reduced by communities' self-protection capacities or by community services and structures and protection actors that care for victims.
risk-level-2-of-4 = The protection situation in this area is considered “moderate”. Protection risks are high, and self-protection and risk-reduction capacities can be strengthened. Follow-up is needed to meet the population's immediate needs, strengthen existing mechanisms and reduce potentially aggravating factors.
risk-level-3-of-4 = The protection situation in this area is considered “serious”. Protection risks are very high (grave violations, level of violence and forced displacement). Self-protection and risk-reduction capacities are insufficient.
risk-level-4-of-4 = The protection situation in this area is considered “critical”. Protection risks are extremely high and grave (notably grave violations, level of violence and forced displacement). Self-protection and risk-reduction capacities (community mechanisms, state services, humanitarian services and actors) are absent, too weak or ineffective. This situation calls for particular attention from the Protection Cluster and relevant actors, notably in response, advocacy and resource mobilisation.
risk-about = The protection severity measured by the risk index is based on the perception of the protection environment, collected every month from key informants in the monitored communes. The index does not rest only on the protection incidents reported during the month: its questionnaire also considers the threats present, the protection services available, and the civilian population's vulnerability and capacity to protect itself and prevent protection risks. It shows how the protection situation develops over time and where it is most severe.
risk-none = No risk index data was recorded for this month.
risk-at-level = { $count } { $level }
risk-text = In { $month }, the risk index was established for { $assessed } communes out of the { $communes } communes of the monitored regions ({ $share }): { $levels }. The map of the index is in the annexes.
risk-communes-assessed = Communes assessed
risk-communes-of-region = Communes of the region
cercle = Cercle
risk-change-first = In the { $region } region, the protection situation went from { $from } to { $to } { $places }.
risk-change-next = It went from { $from } to { $to } { $places }.
risk-no-change = In the { $region } region, no commune assessed in { $then } changed level.
risk-communes-in-cercle = { $count ->
    [one] in the commune of { $communes } ({ $cercle } cercle)
   *[other] in the communes of { $communes } ({ $cercle } cercle)
}
commune-of = { $name }

## V – People and places

heading-people = VI – Perpetrators, victims, places and times
people-perpetrator = Alleged perpetrators
people-occupation = Victims' occupations
people-sex = Victims' sex
people-age-group = Victims' age
people-population = Victims' displacement status
people-place = Places of violations
people-time-slot = Time of day
people-item = { $name } ({ $count }; { $share })
# The same, for a label that ends in a parenthesis: "adult (18-59): 357 (67%)".
people-item-bracketed = { $name }: { $count } ({ $share })
people-most-perpetrator = Most frequent alleged perpetrators: { $items }.
people-most-occupation = Most frequent victims' occupations: { $items }.
people-most-sex = Most frequent victims' sex: { $items }.
people-most-age-group = Most frequent victims' age: { $items }.
people-most-population = Most frequent victims' displacement status: { $items }.
people-most-place = Most frequent places of violations: { $items }.
people-time-slot-text = The most frequent time of day is: { $slot } ({ $count }), of which { $in-category } in the category “{ $category }”.

## VI – Recommendations

heading-recommendations = VII – Recommendations
recommendations-none = No recommendation was provided for this month.
recommendation-actor = Actors
recommendation-action = Recommended actions
recommendation-zone = Areas
recommendation-follow-up = Cluster follow-up

## VII – Annexes

heading-annexes = VIII – Annexes
annex = Annex { $number } – { $title }
annex-violations-map-region = Map of violations by region ({ $month })
annex-violations-map-cercle = Map of violations by cercle ({ $month })
annex-violations-map = Map of violations by commune ({ $month })
annex-alerts-map = Map of flash alerts ({ $month })
annex-risk-map = Risk index map ({ $month })
annex-incidents = List of incidents
annex-coverage = Protection monitoring coverage ({ $month })
map-no-violation = No violation documented
map-small-counts = < { $k }
chart-withheld = Not drawn: it would show a figure of fewer than { $k } violations not yours to see (its table shows it as < { $k }).
map-range = { $lower } – { $upper }
map-not-assessed = Not assessed
map-level = { $level } – { $label }
map-alert-circle = Circle: one alert, sized by persons affected
map-not-covered = Not covered
map-violations-since-january = Violations documented since January
map-assessed-this-month = Risk assessed this month by key informants
incidents-file = The month's list of incidents is in the workbook { $file }.
coverage-text = In { $now }, key informants were interviewed in { $assessed } of the { $communes } communes of the monitored regions ({ $share }).
alerts-none = No flash alert was received this month.
alert-date = Date
alert-region = Region
alert-cercle = Cercle
alert-commune = Commune
alert-event-type = Event type
alert-households = Households
alert-persons = Persons
alert-missing = –
event-type = { $type ->
    [ATTACK] Attack
    [CLASH] Clash
    [DISPLACEMENT] Population displacement
    [EXPLOSIVE] Explosive device
    [ABDUCTION] Abduction
    [BLOCKADE] Blockade
   *[OTHER] Other
}

## Incident list workbook

incidents-sheet = Incidents
incidents-incident = Incident
incidents-date = Date
incidents-region = Region
incidents-cercle = Cercle
incidents-commune = Commune
incidents-violations = Violations
incidents-types = Violation types
incidents-perpetrator = Alleged perpetrator
incidents-place = Place
incidents-time-slot = Time of day
incidents-organization = Organisation

## Tables workbook

tables-code = Code
tables-label = Label
tables-count = Violations

## Pages of `vigie serve`.
ui-dashboard = Dashboard
ui-skip = Skip to content
ui-sign-in = Sign in
ui-sign-out = Sign out
ui-user-name = User name
ui-password = Password
ui-bad-credentials = Wrong name or password.
ui-too-many = Too many attempts: try again in a quarter of an hour.
ui-signed-in-as = Signed in: { $name } ({ $role })
ui-language-name = English
ui-no-data-for = no data for { $month }
ui-filters = Filters
ui-month = Month
ui-all = All
ui-apply = Apply
ui-reset = Clear filters
ui-map-level = Violations map by
ui-filter-region = Region
ui-filter-cercle = Cercle
ui-filter-commune = Commune
ui-filter-subtype = Type of violation
ui-filter-category = Category
ui-filter-perpetrator = Alleged perpetrator
ui-filter-sex = Sex
ui-filter-age = Age
ui-filter-population = Population
ui-filter-organization = Organisation
ui-filter-from = From
ui-filter-to = To
ui-key-month = Violations in { $month }
ui-key-year = Violations since January { $year }
ui-key-incidents = Incidents in { $month }
ui-vs-previous = { $change } compared with { $month }
ui-vs-year-earlier = { $change } compared with { $month }
ui-no-change = unchanged
ui-chart-data = The figure's data
ui-public = Public version: small counts are hidden.
ui-no-data = No violation is recorded.
ui-too-few = Fewer than { $k } violations match these filters: no figure is shown for them.
ui-withheld-note = Figures of fewer than { $k } violations that are not yours to see are shown as < { $k }.
ui-violations = Violations
ui-violation = Violation { $id }
ui-count = { $count ->
    [one] { $count } violation
   *[other] { $count } violations
}
ui-next-page = Next page
ui-sort = Sort by
ui-sort-newest = Newest first
ui-sort-oldest = Oldest first
ui-sort-commune = Commune
ui-sort-organization = Organisation
ui-back-to-list = Back to the list
field-violation_id = Identifier
field-incident_id = Incident
field-incident_date = Incident date
field-report_date = Report date
field-admin1_pcode = Region
field-admin2_pcode = Cercle
field-admin3_pcode = Commune
field-locality = Locality
field-latitude = Latitude
field-longitude = Longitude
field-violation_code = Type of violation
field-perpetrator_code = Alleged perpetrator
field-place_code = Place
field-time_slot_code = Time of day
field-victim_sex = Victim's sex
field-victim_age_group = Victim's age
field-victim_occupation = Victim's occupation
field-victim_population = Victim's status
field-organization = Organisation
field-narrative = Narrative
field-alert_id = Identifier
field-alert_date = Alert date
field-event_type = Event type
field-affected_households = Households affected
field-affected_persons = Persons affected
field-description = Description
field-answer_id = Identifier
field-month = Month
ui-alerts = Flash alerts
ui-risk-answers = Risk questionnaires
ui-violations-new = New violation
ui-alerts-new = New flash alert
ui-risk-answers-new = New risk answer
ui-new-record = New record
ui-record = Record { $id }
ui-edit = Edit
ui-edit-record = Edit record { $id }
ui-save = Save
ui-cancel = Cancel
ui-required = required
ui-commune-search = Find a commune by name
ui-found = (found: { $value })
ui-form-errors = { $count ->
    [one] One field needs correcting: nothing was saved.
   *[other] { $count } fields need correcting: nothing was saved.
}
ui-saved-inserted = Saved: the record was added.
ui-saved-updated = Saved: the record was corrected.
ui-saved-unchanged = Nothing changed: the record already held these values.
ui-download-list = Download this list:
ui-imports = Imports
ui-import-kind = Records
ui-import-kobo = KoBo / ODK export
ui-import-mapping = Mapping (KoBo/ODK, optional: without it, Vigie's own form)
ui-import-file = File
ui-import-send = Import
ui-import-progress = Upload progress
ui-import-hint = A CSV file in the exchange format (DATA-FORMATS.md), comma or semicolon separated; or a form's KoBoToolbox or ODK export (XLSX, CSV with its repeat groups' files, KoBo API JSON). Files are imported whole or not at all; importing them again changes nothing, and a newer export updates the edited submissions.
ui-import-failed = The file could not be imported.
ui-import-too-large = This file was refused: it is larger than an upload may be, or it inflates as no real export does. Nothing was imported. Import a large export with `vigie import kobo` on the server.
ui-import-counts = { $inserted } added, { $updated } corrected, { $unchanged } unchanged.
ui-import-done = { $file } imported.
ui-import-invalid = { $count ->
    [one] One error: nothing was imported. Fix the file and import it again.
   *[other] { $count } errors: nothing was imported. Fix the file and import it again.
}
ui-import-errors = Errors, by line
ui-import-line = Line
ui-import-column = Column
ui-import-value = Value
ui-import-expected = Expected
ui-import-more = … and { $count } more errors.
ui-import-history = Import history
ui-import-none = No file imported yet.
ui-import-when = When (UTC)
ui-import-who = By
ui-import-result = Result
ui-reports = Reports
ui-report-pdf = The report (PDF)
ui-report-html = The report (HTML)
ui-report-tables-csv = The tables (CSV)
ui-report-tables-xlsx = The tables (Excel workbook)
ui-report-incidents = The incident list (Excel workbook)
ui-report-audited = Every download is recorded in the audit log.
ui-state-open = Open
ui-state-signed-off = Signed off
ui-state-reopened = Reopened
ui-live-report = Made from today’s data, late reports included: the published versions are below.
ui-late-report = Late report: written after { $month } was published (version { $version }); it is not in that version.
ui-link-list = the list of these violations
ui-link-filter = filter the dashboard by it
ui-submissions = Submissions
ui-submissions-hint = Submissions from ODK Collect that do not count yet: kept as the phone sent them, with what to fix. Correct one on its page and it counts; or send it again corrected from the phone (an edit).
ui-submissions-none = Every submission received counts: none needs attention.
ui-submission-device = Device
ui-submission-errors = Why it does not count yet
ui-submission-correct = Correct it
ui-submission-corrected = { $id } is corrected: it counts now.
ui-submission-title = Submission { $id }
ui-submission-from = Sent by the device { $device } of { $organization }, received { $at }.
ui-submission-correct-hint = Correct the values the rules name, as the form writes them (P-codes, the typology's codes; the list suggests them), then save: it is read again as the phone's submissions are, and counts once no rule is broken. The audit log keeps each value changed, before and after.
ui-submission-victim = Victim { $n }
ui-submission-save = Save and count it
ui-publication = Publication
ui-published-months = Published months
ui-publication-state = State
ui-versions = Versions
ui-changes-since = Changes since publication
ui-month-open = Not signed off: the figures may still change.
ui-month-signed-off = Signed off: the published version is final.
ui-month-reopened = Reopened: its violations may change; a new sign-off publishes a new version.
ui-locked-hint = { $who } signed it off on { $when } (version { $version }). Its violations cannot be edited, deleted or verified; new ones are accepted as late reports.
ui-version-line = Version { $version }, signed off by { $who } on { $when }
ui-reopened-line = Reopened by { $who } on { $when }: { $reason }
ui-version-short = version { $version }
ui-sign-off = Sign off { $month }
ui-sign-off-note = Note (optional)
ui-sign-off-hint = The report, in every language, and its public version are stored as they are now; the month’s violations are then locked.
ui-reopen = Reopen { $month }
ui-reopen-reason = Why reopen it
ui-saved-signed-off = Signed off: the month’s report is published and its violations are locked.
ui-saved-reopened = Reopened: the month’s violations may change again; its published versions stay.
ui-coverage = Coverage: how far these figures can be trusted
ui-coverage-monitored = Communes with a violation recorded since January: { $part } of { $whole } ({ $share })
ui-coverage-assessed = Communes assessed by key informants this month: { $part } of { $whole } ({ $share })
ui-coverage-report-date = Violations without a report date: { $part } of { $whole } ({ $share })
ui-coverage-location = Violations without coordinates: { $part } of { $whole } ({ $share })
ui-coverage-note = Missing details are counted over all the violations of { $month }, whatever the filters.
ui-text-no-figure = matches none of the section's figures. Perhaps:
ui-text-no-share = matches no category's share. Perhaps:
ui-text-other-share = is not the share of “{ $named }”, but of:
ui-text-share-year = { $share }: { $category }, since January
ui-text-share-month = { $share }: { $category }, this month
ui-text-total = total
ui-texts = Report texts
ui-texts-title = The report's texts — { $month }
ui-texts-hint = The words of the report that are not figures: the month's context (section I), each region's analysis (section III) and the recommendations (section VI). Every number you write is checked against the month's figures when you save, and again when the report is built; nothing is changed for you.
ui-texts-context = I – Context of the month
ui-texts-body = Text
ui-texts-all-match = Every number of this text matches the month's figures.
ui-texts-no-recommendation = No recommendation is open this month.
ui-texts-opened = Open since { $month }, areas: { $zone }.
ui-texts-closed = Closed in { $month }.
ui-texts-follow-up = Cluster follow-up this month
ui-texts-close = Close this recommendation (it still shows in this month's report)
ui-texts-new-recommendation = A new recommendation
ui-texts-add = Add
ui-admin = Administration
ui-admin-done-saved = Saved.
ui-admin-done-password = The password is changed; give it to its owner in person.
ui-admin-failed = Not saved:
ui-admin-users = Accounts
ui-admin-role = Role
ui-admin-since = Since
ui-admin-state = State
ui-admin-enabled = Active.
ui-admin-disabled = Disabled.
ui-admin-enable = Enable
ui-admin-disable = Disable
ui-admin-new-password = New password
ui-admin-reset = Set
ui-admin-add-user = A new account
ui-admin-organizations = Partner organisations
ui-admin-code = Code
ui-admin-org-name = Name
ui-admin-add-organization = A new organisation
ui-admin-public = Public access
ui-admin-public-on = The public dashboard is on: anyone can read the aggregates, small counts hidden.
ui-admin-public-off = The public dashboard is off: only signed-in users see anything.
ui-admin-public-switch-on = Switch it on
ui-admin-public-switch-off = Switch it off
ui-role-admin = Administrator
ui-role-im-officer = Information management officer
ui-role-partner = Partner
ui-role-viewer = Reader
ui-audit = Audit log
ui-devices = Devices
ui-devices-hint = Monitors' phones submit with ODK Collect, each with its own key bound to an organisation: what a device sends counts for its organisation, whatever the form says. Add a device to get the QR code a monitor scans once in ODK Collect; revoke the key of a lost phone.
ui-device-add = A new device
ui-device-name = Device name (letters, digits, . _ - @)
ui-device-revoke = Revoke its key
ui-device-revoked = The device's key is revoked: what it sends is refused from now on.
ui-device-revoked-on = Revoked on { $date }.
ui-device-added = Device { $name } added for { $organization }
ui-device-scan = On the phone, in ODK Collect: Add project (or Project settings, Reconfigure with QR code), then scan this code.
ui-device-qr = ODK Collect settings for the device { $name }
ui-device-url = Or type this server URL into ODK Collect's server settings, with no user name or password:
ui-device-once = This code and this URL hold the device's key: they are shown only now. Print or scan them before leaving the page; if they are lost, revoke the device and add another.
ui-audit-actor = Who
ui-audit-action = Action
ui-audit-entity = What
ui-audit-details = Details
ui-audit-count = { $count ->
    [one] One entry.
   *[other] { $count } entries.
}
ui-audit-limit = (newest first, at most { $limit })
rule-required = This field is required.
rule-identifier = An identifier of at most 128 characters, on one line.
rule-organization = A partner's short code: letters, digits, “-”, “_” or “.”, at most 32 characters.
rule-date = A date as YYYY-MM-DD, for example 2021-11-23.
rule-month = A month as YYYY-MM, for example 2021-11.
rule-not-future = The date cannot be in the future.
rule-before-incident = The report date cannot come before the incident date.
rule-code = Choose one of the listed values.
rule-commune = Choose a commune of the list.
rule-not-the-communes = This is not the commune's: leave it empty or choose the commune's.
rule-coordinate = A number in decimal degrees: latitude from -90 to 90, longitude from -180 to 180.
rule-both-coordinates = Give latitude and longitude together, or neither.
rule-whole-number = A whole number, 0 or more.
rule-other-organization = A partner records its own organisation's data only.
rule-taken = A stored record already has this identifier: choose another.

## Vigie's own XLSForm (vigie form write): its labels in each language.
form-language = English (en)
form-title = Protection monitoring — violations
form-incident = The incident
form-victims = Victims
form-victim = Victim
form-gps = GPS position of the incident's place
form-violations = Violations this victim suffered
form-violations-hint = Tick each type of violation suffered: each counts as one violation.
form-narrative-hint = Sensitive: name nobody. The narrative is seen only by the roles allowed to.
form-organization-hint = Your organisation's short code, as Vigie knows it (for example DRC).

verification-reported = Reported (to verify)
verification-verified = Verified
verification-not-verified = Could not be verified
verification-rejected = Rejected
rejection-did-not-occur = did not occur
rejection-not-a-protection-violation = not a protection violation
ui-verification = Verification
ui-verification-reason = Reason for a rejection
ui-verify = Save the decision
ui-verify-selected = Decision for the ticked violations
ui-select = Select
ui-select-record = Select { $id }
ui-saved-verified = Saved: the verification status was updated.
month-locked = { $month } is signed off: { $who } published it on { $when } (version { $version }). Its violations cannot be edited, deleted or verified until an admin reopens it; new violations are accepted as late reports.
overview-late = Since its publication (version { $version }), { $month } received { $count ->
    [one] { $count } late report
   *[other] { $count } late reports
}: counted here, not in its published figures.
overview-verified = { $verified } of the month’s { $count } violations were verified by the cluster ({ $share }).

ui-duplicates = Duplicates
ui-duplicate-count = { $count } pair(s) of violations that may be one event reported twice, the likeliest first.
ui-duplicate-score = likeness { $score }
ui-duplicate-same = Same event: { $b } duplicates { $a }
ui-duplicate-distinct = Two distinct events
ui-duplicate-undo = Undo this decision
ui-duplicates-of = Duplicates of this violation (out of every count)
ui-duplicate-of = Duplicate of
ui-saved-duplicate = Saved: the decision about the pair was taken into account.
ui-field = Field
duplicate-reason-same-subtype = same subtype
duplicate-reason-same-category = same category
duplicate-reason-same-victim-sex = same victim sex
duplicate-reason-same-age-group = same age group
duplicate-reason-same-population = same population status
duplicate-reason-same-occupation = same occupation
duplicate-reason-same-perpetrator = same perpetrator
duplicate-reason-perpetrator-unidentified-in-one = perpetrator unidentified in one
duplicate-reason-same-place = same place
duplicate-reason-same-time-slot = same time of day
duplicate-reason-same-locality = same locality
duplicate-reason-similar-narrative = similar narratives
duplicate-reason-same-day = same day
duplicate-reason-days-apart = { $days } day(s) apart
duplicate-reason-other-organization = two organisations
ui-duplicate-shown = The { $shown } likeliest are shown here; `vigie duplicates` and the API give them all.
