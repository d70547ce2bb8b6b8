// The rows come from reports::EvaluateClaim on the lesson's own records only, so a file holding
// several lessons shows this lesson's claims here and the others on their pages.

#include "gui/claims_page.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "reports/claims.h"

namespace racetrack::gui {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

QColor OutcomeColour(reports::ClaimOutcome outcome) {
  switch (outcome) {
    case reports::ClaimOutcome::kConfirmed: return QColor(0x1b, 0x7f, 0x3b);
    case reports::ClaimOutcome::kContradicted: return QColor(0xc6, 0x28, 0x28);
    case reports::ClaimOutcome::kDepends: return QColor(0xa1, 0x5c, 0x00);
    case reports::ClaimOutcome::kNotMeasured: break;
  }
  return QColor(0x5b, 0x64, 0x72);
}

}  // namespace

ClaimsPage::ClaimsPage(std::string scenario_id, QWidget* parent)
    : QWidget(parent), scenario_id_(std::move(scenario_id)) {
  auto* layout = new QVBoxLayout(this);
  heading_ = new QLabel(tr("The article's claims, measured: run the lesson or open a results "
                           "file."), this);
  heading_->setWordWrap(true);
  layout->addWidget(heading_);
  table_ = new QTableWidget(0, 5, this);
  table_->setObjectName("claims_table");
  table_->setHorizontalHeaderLabels(
      {tr("the article says"), tr("measured here"), tr("outcome"), tr("decided by"), tr("run")});
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setWordWrap(true);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(4, QHeaderView::ResizeToContents);
  layout->addWidget(table_, 1);
}

void ClaimsPage::Show(const std::vector<results::Results>& runs) {
  table_->setRowCount(0);
  int measured = 0;
  for (const results::Results& run : runs) {
    auto info = run.scenario_info.find(scenario_id_);
    if (info == run.scenario_info.end()) continue;
    for (const results::ClaimText& claim : info->second.claims) {
      reports::ClaimEvaluation ev = reports::EvaluateClaim(claim, scenario_id_, run.records);
      measured += ev.outcome != reports::ClaimOutcome::kNotMeasured;
      std::string points;
      for (const reports::ClaimPoint& p : ev.points) {
        points += (points.empty() ? "" : "\n") + p.where + ": " + p.text;
      }
      const int row = table_->rowCount();
      table_->insertRow(row);
      table_->setItem(row, 0, new QTableWidgetItem(Q(claim.article)));
      table_->setItem(row, 1, new QTableWidgetItem(Q(points.empty() ? ev.measured : points)));
      auto* outcome = new QTableWidgetItem(Q(std::string(reports::ClaimOutcomeName(ev.outcome))));
      outcome->setForeground(OutcomeColour(ev.outcome));
      QFont bold = outcome->font();
      bold.setBold(true);
      outcome->setFont(bold);
      table_->setItem(row, 2, outcome);
      table_->setItem(row, 3, new QTableWidgetItem(Q(claim.rule)));
      table_->setItem(row, 4, new QTableWidgetItem(Q(run.label)));
    }
  }
  table_->resizeRowsToContents();
  heading_->setText(table_->rowCount() == 0
                        ? tr("This lesson states no claims of the article in these results.")
                        : tr("The article's claims, measured: %1 of %2 decided by these records.")
                              .arg(measured)
                              .arg(table_->rowCount()));
}

}  // namespace racetrack::gui
