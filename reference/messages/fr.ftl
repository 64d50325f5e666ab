# Vigie's words in French. One message per sentence, heading, label or note of the report (and,
# later, the web interface). A language is one file like this one, named by its language code:
# translate the text after each `=`, keep the ids and the { $arguments }.
#
# Arguments: { $count } and the like are numbers (written with the separators below, and they
# choose plural forms: French counts 0 and 1 as singular, `[one]`); { $share } is a percentage
# already written; names ({ $region }, { $month }…) are text. INITIAL($name) says whether a name
# starts with a vowel or a consonant, for elisions (« d'Ansongo », « de Mopti »).

## Numbers and lists

number-group-separator = { "\u202F" }
number-decimal-separator = ,
percent = { $value }{ "\u202F" }%
list-and = { $first } et { $last }
list-separator = { ", " }
# Between groups of a list that already use « et » (ties): « Mopti et Ségou (8 chacune) ; Gao (4) ».
list-group-separator = { " ; " }
# How code labels read inside a sentence: lower (« meurtre ») or keep (as in the code list).
label-case-in-sentence = lower
quoted = « { $text } »

## Months and dates

month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre
month-short-1 = Jan
month-short-2 = Fév
month-short-3 = Mars
month-short-4 = Avr
month-short-5 = Mai
month-short-6 = Juin
month-short-7 = Juil
month-short-8 = Août
month-short-9 = Sept
month-short-10 = Oct
month-short-11 = Nov
month-short-12 = Déc
# A month of a year: « novembre 2021 ». { $year } is text.
month-year = { $month } { $year }

## Shared phrases

# « au mois de novembre 2021 », « au mois d'octobre 2021 »
of-now = { INITIAL($now) ->
    [vowel] d'{ $now }
   *[other] de { $now }
}
of-then = { INITIAL($then) ->
    [vowel] d'{ $then }
   *[other] de { $then }
}
of-region = { INITIAL($region) ->
    [vowel] d'{ $region }
   *[other] de { $region }
}
total = Total
# { $trend } compares the month with the month before.
trend = { $trend ->
    [up] en hausse
    [down] en baisse
   *[stable] stable
}
# The month's { $count }: « 531 violations ont été documentées ».
were-documented = { $count ->
    [0] aucune violation n'a été documentée
    [one] { $count } violation a été documentée
   *[other] { $count } violations ont été documentées
}
ranked-item = { $name } ({ $count })
tie-regions = { $names } ({ $count } chacune)
tie-cercles = { $names } ({ $count } chacun)
share-item = { $name } ({ $count }, { $share })
source = Source : système de monitoring de protection, { $month } (Vigie)

## Title

report-title = Rapport mensuel de monitoring de protection — { $country }
report-subtitle = N° { $number } – { $month }
report-subtitle-public = N° { $number } – { $month } (version publique)
# The PDF's table of contents and figure numbering (« Fig. 3 »).
contents = Table des matières
figure-supplement = Fig.
analysis-mark = Analyse
file-report = rapport-{ $month }
file-incidents = annexe-incidents-{ $month }

## Typology

figure-data = Les données de la figure
data-month = Mois
data-violations = Violations
data-category = Catégorie
data-cercle = Cercle
data-commune = Commune
data-region = Région
data-level = Niveau de risque
data-coverage = Couverture
data-communes = Communes
data-total = Total
heading-typology = Typologie des violations
typology-item = { $code }. { $category } : { $subtypes }.

## I – Overview

heading-overview = I – Aperçu de l'environnement de protection
overview-month-count = Nombre de violations en { $month } : { $count }
overview-year-count = Nombre de violations depuis { $january } : { $count }
chart-per-month = Violations documentées par mois
overview-text = Depuis le début de l'année { $year }, { $year-count ->
    [0] aucune violation n'a été documentée
    [one] { $year-count } violation a été documentée
   *[other] { $year-count } violations ont été documentées
} par le système de monitoring de protection. Au mois { of-now }, { were-documented }, contre { $previous } au mois { of-then } ({ trend }).
overview-categories = Les catégories les plus documentées ce mois sont { $categories }.
overview-top-region = Avec { $share } des violations documentées, la région { of-region } est celle qui en a enregistré le plus.
overview-top-regions = Avec { $share } des violations documentées, la région { of-region } est celle qui en a enregistré le plus. Elle est suivie des régions { $others }.
overview-other-region = { of-region } ({ $share })

## II – Categories

heading-categories = II – Tendances par catégorie
categories-table-label = Typologies de violations (documentées)
category-none = Aucune violation n'a été documentée dans cette catégorie au mois { of-now } (contre { $previous } au mois { of-then }).
category-text = Au mois { of-now }, { were-documented } dans cette catégorie, soit { $share } de toutes les violations du mois ({ trend } par rapport au mois { of-then } : { $previous }). Les types de violations les plus documentés sont : { $types }. Les régions les plus concernées sont { $regions }.

## III – Regions

heading-regions = III – Tendances par région
region = Région
heading-region = Région { of-region }
region-text = Au mois { of-now }, { were-documented } dans la région { of-region }, contre { $previous } au mois { of-then } ({ trend }), soit { $share } des violations du mois.
chart-region-categories = Violations par catégorie, région { of-region }
region-cercles = Cercles les plus touchés : { $cercles }.
regions-quiet = Aucune violation n'a été documentée au mois { of-now } dans les régions suivantes : { $regions }.

## IV – Risk index

heading-signals = IV – Signaux d’alerte précoce
signals-about = Ce que les mois précédents ne laissaient pas attendre, calculé des mêmes données que les tableaux : une hausse inhabituelle dans un cercle ou une région (au-delà de ce que ses mois précédents, jusqu’à { $months }, laissaient attendre au plus, à { $quantile }), une commune touchée après { $quiet } mois sans violation, un événement sentinelle, un niveau de risque qui se dégrade. Ce sont des alertes à vérifier, non des conclusions.
sentinel-child-recruitment = Recrutement d’enfant par des forces ou groupes armés
sentinel-sexual-violence = Violence sexuelle
sentinel-mass-killing = Plusieurs personnes tuées dans un incident
signals-about-public = Où le mois s’écarte de ce que ses mois précédents laissaient attendre : hausses inhabituelles, communes nouvellement touchées, événements sentinelles, niveaux de risque en dégradation. Ce sont des alertes à vérifier, non des conclusions.
signals-none = Aucun signal d’alerte précoce en { $month }.
signals-intro = { $count ->
    [0] Aucun signal d’alerte précoce en { $month }.
    [one] { $count } signal d’alerte précoce en { $month }.
   *[other] { $count } signaux d’alerte précoce en { $month }.
}
signals-more = … et { $count } autres, dans le tableau.
signal-surge = { $place } : { $observed } violations de la catégorie « { $category } » en { $month }, quand ses { $months } mois précédents en laissaient attendre { $threshold } au plus.
signal-new-area = { $place } : { $observed } violations en { $month }, après { $months } mois sans aucune.
signal-sentinel = { $place } : { $event } ({ $observed }).
signal-risk = { $place } : le niveau de risque est passé de « { $from } » à « { $to } ».
signal-place = { $level ->
    [region] région de { $name }
    [cercle] cercle de { $name }
   *[commune] commune de { $name }
}
signal-kind = { $kind ->
    [surge] Hausse inhabituelle
    [new_area] Nouvelle zone
    [sentinel] Événement sentinelle
   *[risk_deterioration] Risque en dégradation
}
signal-kind-header = Signal
signal-place-header = Lieu
signal-what-header = Quoi
signal-observed-header = Violations du mois
signal-threshold-header = Attendues au plus
signal-risk-what = Niveau { $from } → { $to }
map-signals = Carte – Signaux d’alerte précoce de { $month }
map-signals-none = Aucun signal
heading-risk = V – Indice de risque de protection
risk-legend-title = Légende des niveaux de l'indice des risques de protection
risk-level = Niveau
risk-points = Points
risk-points-range = { $min } – { $max } points
risk-situation = Situation
risk-level-1-of-4 = La situation de protection dans cette zone est jugée « stable ». Les risques de protection existants sont réduits grâce aux capacités d'auto-protection des communautés ou à la présence de services et structures communautaires et acteurs de protection qui assurent la prise en charge des victimes.
risk-level-2-of-4 = La situation de protection dans cette zone est jugée « modérée ». Les risques de protection sont élevés et les capacités d'autoprotection et de réduction de ces risques peuvent être renforcées. Un suivi doit être effectué afin de répondre aux besoins immédiats des populations pour renforcer les mécanismes existants et réduire les facteurs potentiellement aggravants.
risk-level-3-of-4 = La situation de protection dans cette zone est jugée « sérieuse ». Les risques de protection sont très élevés (violations graves, niveau de violence et déplacement forcé de population). Les capacités d'autoprotection et de réduction des risques sont insuffisantes.
risk-level-4-of-4 = La situation de protection dans cette zone est jugée « critique ». Les risques de protection sont extrêmement élevés et graves (notamment en termes de violations graves, du niveau de violence et du déplacement forcé de population). Les capacités d'autoprotection et de réduction des risques (mécanismes communautaires, services étatiques, services et acteurs humanitaires) sont inexistantes, trop faibles ou inefficaces. Cette situation demande une attention particulière du Cluster Protection et des acteurs pertinents, notamment en termes de réponse, de plaidoyer et de mobilisation de ressources.
risk-about = La sévérité de protection mesurée par l'indice de risque est basée sur la perception de l'environnement de protection, collectée chaque mois auprès d'informateurs clés dans les communes suivies. L'indice n'est pas établi uniquement sur les incidents de protection rapportés au cours du mois : son questionnaire considère aussi les menaces présentes, les services de protection disponibles, la vulnérabilité et les capacités de la population civile à s'auto-protéger et à prévenir les risques de protection. Il permet de suivre l'évolution de la situation de protection au fil du temps et de dégager des tendances géographiques de sévérité.
risk-none = Aucune donnée de l'indice de risque n'a été enregistrée pour ce mois.
risk-at-level = { $count } en situation { $level }
risk-text = En { $month }, l'indice de risque a été établi pour { $assessed } communes sur les { $communes } communes des régions suivies ({ $share }) : { $levels }. La carte de l'indice figure en annexe.
risk-communes-assessed = Communes évaluées
risk-communes-of-region = Communes de la région
cercle = Cercle
risk-change-first = Dans la région { of-region }, la situation de protection est passée de { $from } à { $to } { $places }.
risk-change-next = Elle est passée de { $from } à { $to } { $places }.
risk-no-change = Dans la région { of-region }, aucune commune évaluée au mois { of-then } n'a changé de niveau.
# « dans la commune de Sansanding (cercle de Ségou) », « dans les communes d'Ansongo et de Bara
# (cercle d'Ansongo) »: { $communes } is a list of commune-of.
risk-communes-in-cercle = { $count ->
    [one] dans la commune { $communes } (cercle { INITIAL($cercle) ->
        [vowel] d'{ $cercle }
       *[other] de { $cercle }
    })
   *[other] dans les communes { $communes } (cercle { INITIAL($cercle) ->
        [vowel] d'{ $cercle }
       *[other] de { $cercle }
    })
}
commune-of = { INITIAL($name) ->
    [vowel] d'{ $name }
   *[other] de { $name }
}

## V – People and places

heading-people = VI – Auteurs, victimes, lieux et horaires des violations
people-perpetrator = Présumés auteurs
people-occupation = Statut socio-économique des victimes
people-sex = Sexe des victimes
people-age-group = Âge des victimes
people-population = Statut de déplacement des victimes
people-place = Lieux des violations
people-time-slot = Tranches horaires des violations
people-item = { $name } ({ $count } ; { $share })
# La même, pour un libellé qui finit par une parenthèse : « adulte (18-59) : 357 (67 %) ».
people-item-bracketed = { $name } : { $count } ({ $share })
people-most-perpetrator = Présumés auteurs les plus fréquents : { $items }.
people-most-occupation = Statut socio-économique des victimes les plus fréquents : { $items }.
people-most-sex = Sexe des victimes les plus fréquents : { $items }.
people-most-age-group = Âge des victimes les plus fréquents : { $items }.
people-most-population = Statut de déplacement des victimes les plus fréquents : { $items }.
people-most-place = Lieux les plus fréquents : { $items }.
people-time-slot-text = La tranche horaire la plus fréquente est : { $slot } ({ $count }), dont { $in-category } dans la catégorie « { $category } ».

## VI – Recommendations

heading-recommendations = VII – Recommandations
recommendations-none = Aucune recommandation n'a été fournie pour ce mois.
recommendation-actor = Acteurs concernés
recommendation-action = Actions recommandées
recommendation-zone = Zones d'intervention
recommendation-follow-up = Suivi du Cluster

## VII – Annexes

heading-annexes = VIII – Annexes
annex = Annexe { $number } – { $title }
annex-violations-map-region = Carte des violations par région ({ $month })
annex-violations-map-cercle = Carte des violations par cercle ({ $month })
annex-violations-map = Carte des violations par commune ({ $month })
annex-alerts-map = Carte des alertes flash ({ $month })
annex-risk-map = Carte de l'indice de risque ({ $month })
annex-incidents = Liste des incidents
annex-coverage = Zone de couverture du monitoring de protection ({ $month })
map-no-violation = Aucune violation documentée
map-small-counts = < { $k }
chart-withheld = Non tracé : il montrerait un chiffre de moins de { $k } violations que vous n’avez pas à voir (son tableau l’indique < { $k }).
map-range = { $lower } – { $upper }
map-not-assessed = Non évaluée
map-level = { $level } – { $label }
map-alert-circle = Cercle : une alerte, sa taille selon les personnes affectées
map-not-covered = Non couverte
map-violations-since-january = Violations documentées depuis janvier
map-assessed-this-month = Risque évalué ce mois par des informateurs clés
incidents-file = La liste des incidents du mois est fournie dans le classeur { $file }.
coverage-text = Au mois { of-now }, des informateurs clés ont été interrogés dans { $assessed } des { $communes } communes des régions suivies ({ $share }).
alerts-none = Aucune alerte flash n'a été reçue ce mois.
alert-date = Date
alert-region = Région
alert-cercle = Cercle
alert-commune = Commune
alert-event-type = Type d'événement
alert-households = Ménages
alert-persons = Personnes
alert-missing = –
event-type = { $type ->
    [ATTACK] Attaque
    [CLASH] Affrontement
    [DISPLACEMENT] Déplacement de population
    [EXPLOSIVE] Engin explosif
    [ABDUCTION] Enlèvement
    [BLOCKADE] Blocus
   *[OTHER] Autre
}

## Incident list workbook

incidents-sheet = Incidents
incidents-incident = Incident
incidents-date = Date
incidents-region = Région
incidents-cercle = Cercle
incidents-commune = Commune
incidents-violations = Violations
incidents-types = Types de violation
incidents-perpetrator = Auteur présumé
incidents-place = Lieu
incidents-time-slot = Tranche horaire
incidents-organization = Organisation

## Tables workbook

tables-code = Code
tables-label = Libellé
tables-count = Violations

## Pages of `vigie serve`.
ui-dashboard = Tableau de bord
ui-skip = Aller au contenu
ui-sign-in = Se connecter
ui-sign-out = Se déconnecter
ui-user-name = Nom d’utilisateur
ui-password = Mot de passe
ui-bad-credentials = Nom ou mot de passe incorrect.
ui-too-many = Trop d’essais : réessayez dans un quart d’heure.
ui-signed-in-as = Connecté : { $name } ({ $role })
ui-language-name = Français
ui-no-data-for = aucune donnée pour { $month }
ui-filters = Filtres
ui-month = Mois
ui-all = Tous
ui-apply = Appliquer
ui-reset = Effacer les filtres
ui-map-level = Carte des violations par
ui-filter-region = Région
ui-filter-cercle = Cercle
ui-filter-commune = Commune
ui-filter-subtype = Type de violation
ui-filter-category = Catégorie
ui-filter-perpetrator = Auteur présumé
ui-filter-sex = Sexe
ui-filter-age = Âge
ui-filter-population = Population
ui-filter-organization = Organisation
ui-filter-from = Du
ui-filter-to = Au
ui-key-month = Violations en { $month }
ui-key-year = Violations depuis janvier { $year }
ui-key-incidents = Incidents en { $month }
ui-vs-previous = { $change } par rapport à { $month }
ui-vs-year-earlier = { $change } par rapport à { $month }
ui-no-change = stable
ui-chart-data = Données de la figure
ui-public = Version publique : les petits effectifs sont masqués.
ui-no-data = Aucune violation n’est enregistrée.
ui-too-few = Moins de { $k } violations correspondent à ces filtres : aucun chiffre n’est affiché pour elles.
ui-withheld-note = Les chiffres de moins de { $k } violations que vous n’avez pas à voir sont indiqués < { $k }.
ui-violations = Violations
ui-violation = Violation { $id }
ui-count = { $count ->
    [one] { $count } violation
   *[other] { $count } violations
}
ui-next-page = Page suivante
ui-sort = Trier par
ui-sort-newest = Les plus récentes
ui-sort-oldest = Les plus anciennes
ui-sort-commune = Commune
ui-sort-organization = Organisation
ui-back-to-list = Retour à la liste
field-violation_id = Identifiant
field-incident_id = Incident
field-incident_date = Date de l’incident
field-report_date = Date du rapport
field-admin1_pcode = Région
field-admin2_pcode = Cercle
field-admin3_pcode = Commune
field-locality = Localité
field-latitude = Latitude
field-longitude = Longitude
field-violation_code = Type de violation
field-perpetrator_code = Auteur présumé
field-place_code = Lieu
field-time_slot_code = Moment
field-victim_sex = Sexe de la victime
field-victim_age_group = Âge de la victime
field-victim_occupation = Occupation de la victime
field-victim_population = Statut de la victime
field-organization = Organisation
field-narrative = Récit
field-alert_id = Identifiant
field-alert_date = Date de l’alerte
field-event_type = Type d’événement
field-affected_households = Ménages affectés
field-affected_persons = Personnes affectées
field-description = Description
field-answer_id = Identifiant
field-month = Mois
ui-alerts = Alertes flash
ui-risk-answers = Questionnaires de risque
ui-violations-new = Nouvelle violation
ui-alerts-new = Nouvelle alerte flash
ui-risk-answers-new = Nouvelle réponse au questionnaire de risque
ui-new-record = Nouvel enregistrement
ui-record = Enregistrement { $id }
ui-edit = Modifier
ui-edit-record = Modifier l’enregistrement { $id }
ui-save = Enregistrer
ui-cancel = Annuler
ui-required = obligatoire
ui-commune-search = Chercher une commune par son nom
ui-found = (saisi : { $value })
ui-form-errors = { $count ->
    [one] Un champ est à corriger : rien n’a été enregistré.
   *[other] { $count } champs sont à corriger : rien n’a été enregistré.
}
ui-saved-inserted = Enregistré : l’enregistrement a été ajouté.
ui-saved-updated = Enregistré : l’enregistrement a été corrigé.
ui-saved-unchanged = Rien n’a changé : l’enregistrement avait déjà ces valeurs.
ui-download-list = Télécharger cette liste :
ui-imports = Imports
ui-import-kind = Données
ui-import-kobo = Export KoBo / ODK
ui-import-mapping = Correspondance (KoBo/ODK, facultatif : sans elle, le formulaire de Vigie)
ui-import-file = Fichier
ui-import-send = Importer
ui-import-progress = Progression de l’envoi
ui-import-hint = Un fichier CSV au format d’échange (DATA-FORMATS.md), séparé par des virgules ou des points-virgules ; ou l’export KoBoToolbox ou ODK d’un formulaire (XLSX, CSV avec les fichiers de ses groupes répétés, JSON de l’API KoBo). Les fichiers sont importés en entier ou pas du tout ; les importer à nouveau ne change rien, et un export plus récent met à jour les soumissions modifiées.
ui-import-failed = Le fichier n’a pas pu être importé.
ui-import-too-large = Ce fichier est refusé : il dépasse la taille permise pour un envoi, ou se décompresse comme aucun export réel. Rien n’a été importé. Importez un gros export avec `vigie import kobo` sur le serveur.
ui-import-counts = { $inserted } ajouté(s), { $updated } corrigé(s), { $unchanged } inchangé(s).
ui-import-done = { $file } importé.
ui-import-invalid = { $count ->
    [one] Une erreur : rien n’a été importé. Corrigez le fichier et importez-le à nouveau.
   *[other] { $count } erreurs : rien n’a été importé. Corrigez le fichier et importez-le à nouveau.
}
ui-import-errors = Erreurs, par ligne
ui-import-line = Ligne
ui-import-column = Colonne
ui-import-value = Valeur
ui-import-expected = Attendu
ui-import-more = … et { $count } erreurs de plus.
ui-import-history = Historique des imports
ui-import-none = Aucun fichier importé pour l’instant.
ui-import-when = Quand (UTC)
ui-import-who = Par
ui-import-result = Résultat
ui-reports = Rapports
ui-report-pdf = Le rapport (PDF)
ui-report-html = Le rapport (HTML)
ui-report-tables-csv = Les tableaux (CSV)
ui-report-tables-xlsx = Les tableaux (classeur Excel)
ui-report-incidents = La liste des incidents (classeur Excel)
ui-report-audited = Chaque téléchargement est consigné dans le journal d’audit.
ui-state-open = Ouvert
ui-state-signed-off = Clos
ui-state-reopened = Rouvert
ui-live-report = Établis avec les données du jour, signalements tardifs compris : les versions publiées sont plus bas.
ui-late-report = Signalement tardif : enregistré après la publication de { $month } (version { $version }) ; il n’est pas dans cette version.
ui-link-list = la liste de ces violations
ui-link-filter = filtrer le tableau de bord
ui-submissions = Soumissions
ui-submissions-hint = Les soumissions d’ODK Collect qui ne comptent pas encore : gardées telles que le téléphone les a envoyées, avec ce qu’il faut corriger. Corrigez-en une sur sa page et elle compte ; ou renvoyez-la corrigée depuis le téléphone (une modification).
ui-submissions-none = Toutes les soumissions reçues comptent : aucune n’attend de correction.
ui-submission-device = Appareil
ui-submission-errors = Pourquoi elle ne compte pas encore
ui-submission-correct = La corriger
ui-submission-corrected = { $id } est corrigée : elle compte désormais.
ui-submission-title = Soumission { $id }
ui-submission-from = Envoyée par l’appareil { $device } de { $organization }, reçue { $at }.
ui-submission-correct-hint = Corrigez les valeurs que les règles nomment, comme le formulaire les écrit (P-codes, codes de la typologie ; la liste les suggère), puis enregistrez : elle est relue comme les soumissions des téléphones, et compte dès qu’aucune règle n’est enfreinte. Le journal d’audit garde chaque valeur changée, avant et après.
ui-submission-victim = Victime { $n }
ui-submission-save = Enregistrer et la compter
ui-publication = Publication
ui-published-months = Mois publiés
ui-publication-state = État
ui-versions = Versions
ui-changes-since = Changements depuis la publication
ui-month-open = Non clos : les chiffres peuvent encore changer.
ui-month-signed-off = Clos : la version publiée est définitive.
ui-month-reopened = Rouvert : ses violations peuvent changer ; une nouvelle clôture publie une nouvelle version.
ui-locked-hint = { $who } l’a clos le { $when } (version { $version }). Ses violations ne peuvent plus être modifiées, supprimées ni vérifiées ; les nouvelles sont acceptées comme signalements tardifs.
ui-version-line = Version { $version }, close par { $who } le { $when }
ui-reopened-line = Rouverte par { $who } le { $when } : { $reason }
ui-version-short = version { $version }
ui-sign-off = Clore { $month }
ui-sign-off-note = Note (facultative)
ui-sign-off-hint = Le rapport, dans chaque langue, et sa version publique sont enregistrés tels qu’ils sont ; les violations du mois sont alors verrouillées.
ui-reopen = Rouvrir { $month }
ui-reopen-reason = Motif de la réouverture
ui-saved-signed-off = Clos : le rapport du mois est publié et ses violations sont verrouillées.
ui-saved-reopened = Rouvert : les violations du mois peuvent de nouveau changer ; ses versions publiées restent.
ui-coverage = Couverture : jusqu’où ces chiffres sont fiables
ui-coverage-monitored = Communes avec au moins une violation enregistrée depuis janvier : { $part } sur { $whole } ({ $share })
ui-coverage-assessed = Communes évaluées par les informateurs clés ce mois-ci : { $part } sur { $whole } ({ $share })
ui-coverage-report-date = Violations sans date de rapport : { $part } sur { $whole } ({ $share })
ui-coverage-location = Violations sans coordonnées : { $part } sur { $whole } ({ $share })
ui-coverage-note = Les détails manquants sont comptés sur toutes les violations de { $month }, quels que soient les filtres.
ui-text-no-figure = ne correspond à aucun chiffre de la section. Peut-être :
ui-text-no-share = ne correspond à la part d’aucune catégorie. Peut-être :
ui-text-other-share = n’est pas la part de « { $named } », mais de :
ui-text-share-year = { $share } : { $category }, depuis janvier
ui-text-share-month = { $share } : { $category }, ce mois-ci
ui-text-total = total
ui-texts = Textes du rapport
ui-texts-title = Les textes du rapport — { $month }
ui-texts-hint = Les mots du rapport qui ne sont pas des chiffres : le contexte du mois (section I), l’analyse de chaque région (section III) et les recommandations (section VI). Chaque nombre écrit est vérifié contre les chiffres du mois à l’enregistrement, puis à la production du rapport ; rien n’est changé à votre place.
ui-texts-context = I – Contexte du mois
ui-texts-body = Texte
ui-texts-all-match = Tous les nombres de ce texte correspondent aux chiffres du mois.
ui-texts-no-recommendation = Aucune recommandation n’est ouverte ce mois-ci.
ui-texts-opened = Ouverte depuis { $month }, zones : { $zone }.
ui-texts-closed = Clôturée en { $month }.
ui-texts-follow-up = Suivi du cluster ce mois-ci
ui-texts-close = Clôturer cette recommandation (elle figure encore dans le rapport de ce mois)
ui-texts-new-recommendation = Une nouvelle recommandation
ui-texts-add = Ajouter
ui-admin = Administration
ui-admin-done-saved = Enregistré.
ui-admin-done-password = Le mot de passe est changé ; remettez-le en personne à son titulaire.
ui-admin-failed = Non enregistré :
ui-admin-users = Comptes
ui-admin-role = Rôle
ui-admin-since = Depuis
ui-admin-state = État
ui-admin-enabled = Actif.
ui-admin-disabled = Désactivé.
ui-admin-enable = Activer
ui-admin-disable = Désactiver
ui-admin-new-password = Nouveau mot de passe
ui-admin-reset = Définir
ui-admin-add-user = Un nouveau compte
ui-admin-organizations = Organisations partenaires
ui-admin-code = Code
ui-admin-org-name = Nom
ui-admin-add-organization = Une nouvelle organisation
ui-admin-public = Accès public
ui-admin-public-on = Le tableau de bord public est ouvert : chacun peut lire les agrégats, petits effectifs masqués.
ui-admin-public-off = Le tableau de bord public est fermé : seuls les utilisateurs connectés voient quelque chose.
ui-admin-public-switch-on = L’ouvrir
ui-admin-public-switch-off = Le fermer
ui-role-admin = Administrateur
ui-role-im-officer = Chargé de gestion de l’information
ui-role-partner = Partenaire
ui-role-viewer = Lecteur
ui-audit = Journal d’audit
ui-devices = Appareils
ui-devices-hint = Les téléphones des moniteurs soumettent avec ODK Collect, chacun avec sa propre clé liée à une organisation : ce qu’un appareil envoie compte pour son organisation, quoi que dise le formulaire. Ajoutez un appareil pour obtenir le code QR qu’un moniteur scanne une fois dans ODK Collect ; révoquez la clé d’un téléphone perdu.
ui-device-add = Un nouvel appareil
ui-device-name = Nom de l’appareil (lettres, chiffres, . _ - @)
ui-device-revoke = Révoquer sa clé
ui-device-revoked = La clé de l’appareil est révoquée : ce qu’il envoie est refusé désormais.
ui-device-revoked-on = Révoqué le { $date }.
ui-device-added = Appareil { $name } ajouté pour { $organization }
ui-device-scan = Sur le téléphone, dans ODK Collect : Ajouter un projet (ou Paramètres du projet, Reconfigurer avec un code QR), puis scannez ce code.
ui-device-qr = Paramètres ODK Collect de l’appareil { $name }
ui-device-url = Ou saisissez cette adresse de serveur dans les paramètres de serveur d’ODK Collect, sans nom d’utilisateur ni mot de passe :
ui-device-once = Ce code et cette adresse contiennent la clé de l’appareil : ils ne sont montrés que maintenant. Imprimez-les ou scannez-les avant de quitter la page ; s’ils sont perdus, révoquez l’appareil et ajoutez-en un autre.
ui-audit-actor = Qui
ui-audit-action = Action
ui-audit-entity = Quoi
ui-audit-details = Détails
ui-audit-count = { $count ->
    [one] Une entrée.
   *[other] { $count } entrées.
}
ui-audit-limit = (les plus récentes d’abord, { $limit } au plus)
rule-required = Ce champ est obligatoire.
rule-identifier = Un identifiant de 128 caractères au plus, sur une ligne.
rule-organization = Le code court d’un partenaire : lettres, chiffres, « - », « _ » ou « . », 32 caractères au plus.
rule-date = Une date au format AAAA-MM-JJ, par exemple 2021-11-23.
rule-month = Un mois au format AAAA-MM, par exemple 2021-11.
rule-not-future = La date ne peut pas être dans le futur.
rule-before-incident = La date du rapport ne peut pas précéder la date de l’incident.
rule-code = Choisissez l’une des valeurs de la liste.
rule-commune = Choisissez une commune de la liste.
rule-not-the-communes = Ce n’est pas celle de la commune : laissez vide ou choisissez celle de la commune.
rule-coordinate = Un nombre en degrés décimaux : latitude de -90 à 90, longitude de -180 à 180.
rule-both-coordinates = Donnez la latitude et la longitude ensemble, ou aucune des deux.
rule-whole-number = Un nombre entier, 0 ou plus.
rule-other-organization = Un partenaire n’enregistre que les données de sa propre organisation.
rule-taken = Un enregistrement porte déjà cet identifiant : choisissez-en un autre.

## Vigie's own XLSForm (vigie form write): its labels in each language.
form-language = French (fr)
form-title = Monitoring de protection — violations
form-incident = L’incident
form-victims = Victimes
form-victim = Victime
form-gps = Position GPS du lieu de l’incident
form-violations = Violations subies par cette victime
form-violations-hint = Cochez chaque type de violation subie : chacun compte pour une violation.
form-narrative-hint = Sensible : ne nommez personne. Le récit n’est visible que des rôles qui y ont accès.
form-organization-hint = Le code court de votre organisation, tel que Vigie le connaît (par exemple DRC).

verification-reported = Signalée (à vérifier)
verification-verified = Vérifiée
verification-not-verified = Non vérifiable
verification-rejected = Rejetée
rejection-did-not-occur = n’a pas eu lieu
rejection-not-a-protection-violation = pas une violation de protection
ui-verification = Vérification
ui-verification-reason = Motif d’un rejet
ui-verify = Enregistrer la décision
ui-verify-selected = Décision pour les violations cochées
ui-select = Choisir
ui-select-record = Choisir { $id }
ui-saved-verified = Enregistré : le statut de vérification a été mis à jour.
month-locked = { $month } est clos : { $who } l’a publié le { $when } (version { $version }). Ses violations ne peuvent plus être modifiées, supprimées ni vérifiées tant qu’un administrateur ne l’a pas rouvert ; les nouvelles violations sont acceptées comme signalements tardifs.
overview-late = Depuis sa publication (version { $version }), { $month } a reçu { $count ->
    [one] { $count } signalement tardif : compté ici, absent de ses chiffres publiés.
   *[other] { $count } signalements tardifs : comptés ici, absents de ses chiffres publiés.
}
overview-verified = { $verified } des { $count } violations du mois ont été vérifiées par le cluster ({ $share }).

ui-duplicates = Doublons
ui-duplicate-count = { $count } paire(s) de violations qui pourraient être un même événement signalé deux fois, la plus probable d’abord.
ui-duplicate-score = ressemblance { $score }
ui-duplicate-same = Même événement : { $b } est un doublon de { $a }
ui-duplicate-distinct = Deux événements distincts
ui-duplicate-undo = Annuler cette décision
ui-duplicates-of = Doublons de cette violation (hors des décomptes)
ui-duplicate-of = Doublon de
ui-saved-duplicate = Enregistré : la décision sur la paire a été prise en compte.
ui-field = Champ
duplicate-reason-same-subtype = même sous-type
duplicate-reason-same-category = même catégorie
duplicate-reason-same-victim-sex = même sexe de la victime
duplicate-reason-same-age-group = même tranche d’âge
duplicate-reason-same-population = même statut de population
duplicate-reason-same-occupation = même occupation
duplicate-reason-same-perpetrator = même auteur
duplicate-reason-perpetrator-unidentified-in-one = auteur non identifié dans l’un
duplicate-reason-same-place = même lieu
duplicate-reason-same-time-slot = même moment de la journée
duplicate-reason-same-locality = même localité
duplicate-reason-similar-narrative = récits semblables
duplicate-reason-same-day = même jour
duplicate-reason-days-apart = { $days } jour(s) d’écart
duplicate-reason-other-organization = deux organisations
ui-duplicate-shown = Les { $shown } plus probables sont montrées ici ; `vigie duplicates` et l’API les donnent toutes.
