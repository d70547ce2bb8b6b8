// RecordsModel: one row per approach x target of the lesson on screen — expected and observed
// counts, lost updates, throughput, p50/p99 latency, the correctness verdict. Rows fill in live
// (from the harness's interval samples) and are completed by each finished record, or come from
// an opened results file. The same model drives the table (QTableView) and the "expected vs
// observed" bar chart (QVBarModelMapper over the kExpected..kObserved columns), chartsgallery's
// "one model, a table and a chart".
//
// Thread-safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results/results.h"

namespace racetrack::gui {

class RecordsModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kApproach, kTarget, kExpected, kObserved, kLost, kThroughput, kP50, kP99, kCheck,
                kColumns };

  struct Row {
    std::string approach, target;
    std::optional<double> expected, observed, lost, throughput, p50, p99;
    std::optional<bool> ok;
    bool expected_ok = true;
    std::string note;  // the check's note or the error that ended the run
    std::string unit;  // the record's op unit ("decisions"); "" until its record is in
    bool timing_trusted = true;
    std::string timing_note;  // why not, when !timing_trusted
  };

  explicit RecordsModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

  void Clear();
  // Live figures of a running approach (cumulative, as in IntervalSample::figures).
  void UpdateLive(const std::string& approach, const std::string& target,
                  const std::map<std::string, double>& figures, double throughput_ops_s);
  // A finished record, from a run in progress or an opened results file.
  void SetRecord(const results::Record& record);
  // The op unit of the throughput column's header ("decisions" -> "decisions/s"); SetRecord sets
  // it from the record, so a page may call this before the first record to name it while live.
  void SetUnit(const std::string& unit);
  // The row for approach x target, created at the end when missing. Returns its index.
  int RowFor(const std::string& approach, const std::string& target);

  const std::vector<Row>& rows() const { return rows_; }
  // Tab-separated, with a header line: what "Copy table" puts on the clipboard.
  QString ToTsv() const;
  // "incr · builtin" labels for the bar chart's categories.
  QStringList RowLabels() const;

 private:
  void RowChanged(int row);
  std::vector<Row> rows_;
  std::string unit_;
};

}  // namespace racetrack::gui
