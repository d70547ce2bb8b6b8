// ClaimsPage: a lesson's closing slide — the article's claims this lesson tests, each with what
// the finished records measured and the outcome (confirmed / contradicted / depends / not
// measured), evaluated by reports/claims.h exactly as the reports do.
//
// Thread-safety: GUI thread only.
#pragma once

#include <string>
#include <vector>

#include <QWidget>

#include "results/results.h"

class QLabel;
class QTableWidget;

namespace racetrack::gui {

class ClaimsPage : public QWidget {
  Q_OBJECT

 public:
  explicit ClaimsPage(std::string scenario_id, QWidget* parent = nullptr);

  // Shows the claims of this lesson from `runs` (the finished records so far, or opened files);
  // one row per claim and run. With no records yet, the claims are listed as "not measured".
  void Show(const std::vector<results::Results>& runs);

  QTableWidget* table() const { return table_; }

 private:
  std::string scenario_id_;
  QLabel* heading_ = nullptr;
  QTableWidget* table_ = nullptr;
};

}  // namespace racetrack::gui
