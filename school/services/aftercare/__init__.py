"""After the School: the satisfaction survey sent to those who came (survey, its invitations
and reminders in survey_mail, its results), the edition's figures computed from
registrations, check-ins and answers (figures), and the report made of them, as PDF
(report_pdf, its charts in charts_pdf) and XLSX (report_xlsx)."""
