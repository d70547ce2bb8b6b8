#include "gui/records_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>
#include <cmath>

namespace racetrack::gui {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

QString Number(const std::optional<double>& v, int decimals = 0) {
  if (!v) return QString();
  return QLocale(QLocale::English).toString(*v, 'f', decimals);
}

std::optional<double> Get(const std::map<std::string, double>& m, const char* key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

// What the lesson loses: counters' updates, messaging's messages, persistence's acknowledged
// writes. The live figures of messaging and persistence carry no final loss yet.
std::optional<double> Lost(const std::map<std::string, double>& m) {
  for (const char* key : {"lost_updates", "lost", "lost_writes"}) {
    if (auto v = Get(m, key)) return v;
  }
  return std::nullopt;
}

}  // namespace

RecordsModel::RecordsModel(QObject* parent) : QAbstractTableModel(parent) {}

int RecordsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int RecordsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumns;
}

QVariant RecordsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
    return QAbstractTableModel::headerData(section, orientation, role);
  }
  switch (section) {
    case kApproach: return tr("approach");
    case kTarget: return tr("target");
    case kExpected: return tr("expected");
    case kObserved: return tr("observed");
    case kLost: return tr("lost updates");
    case kThroughput: return unit_.empty() ? tr("throughput (per s)") : Q(unit_ + "/s");
    case kP50: return tr("p50 µs");
    case kP99: return tr("p99 µs");
    case kCheck: return tr("check");
  }
  return {};
}

QVariant RecordsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
  const Row& r = rows_[index.row()];
  const int c = index.column();
  // Expected and observed stay numbers in every role: the bar chart's mapper reads them.
  if (role == Qt::DisplayRole) {
    switch (c) {
      case kApproach: return Q(r.approach);
      case kTarget: return Q(r.target);
      case kExpected: return r.expected.value_or(0);
      case kObserved: return r.observed.value_or(0);
      // Numbers, not text: the bar chart's mapper reads these too.
      case kLost: return r.lost ? QVariant(*r.lost) : QVariant();
      case kThroughput: return r.throughput ? QVariant(std::round(*r.throughput)) : QVariant();
      case kP50: return Number(r.p50, 1);
      case kP99: return Number(r.p99, 1);
      case kCheck: {
        if (!r.note.empty() && !r.ok) return Q(r.note);
        if (!r.ok) return tr("running…");
        // The four verdicts with their marks; a correct row whose timing is not trusted shows
        // ☑ and says so, never the plain ✅.
        const results::Verdict v = results::DeriveVerdict(true, *r.ok, r.expected_ok);
        std::string text = std::string(results::VerdictMark(v, r.timing_trusted)) + " " +
                           std::string(results::VerdictLabel(v));
        if (!r.timing_trusted) text += " · timing not trusted";
        return Q(text);
      }
    }
  }
  if (role == Qt::ToolTipRole) {
    if (r.timing_trusted) return Q(r.note);
    return Q(r.note + (r.note.empty() ? "" : "\n") + "Timing not trusted: " + r.timing_note);
  }
  if (role == Qt::TextAlignmentRole && c >= kExpected && c <= kP99) {
    return int(Qt::AlignRight | Qt::AlignVCenter);
  }
  if (role == Qt::ForegroundRole) {
    bool bad = (c == kLost && r.lost && *r.lost > 0) ||
               (c == kCheck && r.ok == false && r.expected_ok) ||
               (c == kCheck && !r.ok && !r.note.empty());
    if (c == kCheck && r.ok == false && !r.expected_ok) return QBrush(QColor(0x8a, 0x5a, 0x00));
    if (c == kThroughput && !r.timing_trusted) return QBrush(QColor(0x8a, 0x5a, 0x00));
    if (bad) return QBrush(QColor(0xc6, 0x28, 0x28));
  }
  if (role == Qt::FontRole && c == kLost && r.lost && *r.lost > 0) {
    QFont f;
    f.setBold(true);
    return f;
  }
  return {};
}

void RecordsModel::SetUnit(const std::string& unit) {
  if (unit == unit_) return;
  unit_ = unit;
  emit headerDataChanged(Qt::Horizontal, kThroughput, kThroughput);
}

void RecordsModel::Clear() {
  beginResetModel();
  rows_.clear();
  endResetModel();
}

int RecordsModel::RowFor(const std::string& approach, const std::string& target) {
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].approach == approach && rows_[i].target == target) return static_cast<int>(i);
  }
  const int row = static_cast<int>(rows_.size());
  beginInsertRows(QModelIndex(), row, row);
  rows_.push_back(Row{approach, target});
  endInsertRows();
  return row;
}

void RecordsModel::RowChanged(int row) {
  emit dataChanged(index(row, 0), index(row, kColumns - 1));
}

void RecordsModel::UpdateLive(const std::string& approach, const std::string& target,
                              const std::map<std::string, double>& figures,
                              double throughput_ops_s) {
  const int row = RowFor(approach, target);
  Row& r = rows_[row];
  if (auto v = Get(figures, "expected")) r.expected = v;
  if (auto v = Get(figures, "observed")) r.observed = v;
  if (auto v = Lost(figures)) r.lost = v;
  if (r.expected && r.lost && !r.observed) r.observed = *r.expected - *r.lost;
  r.throughput = throughput_ops_s;
  RowChanged(row);
}

void RecordsModel::SetRecord(const results::Record& rec) {
  const int row = RowFor(rec.approach, rec.target);
  Row& r = rows_[row];
  // A figure the record lacks keeps the live value it had.
  if (auto v = rec.Figure("expected")) r.expected = v;
  if (auto v = rec.Figure("observed")) r.observed = v;
  if (auto v = rec.Figure("lost_updates")) r.lost = v;
  if (!r.lost) {
    if (auto v = rec.Figure("lost")) r.lost = v;  // messaging: messages
  }
  if (!r.lost) {
    if (auto v = rec.Figure("lost_writes")) r.lost = v;  // persistence: acknowledged writes
  }
  r.throughput = rec.throughput_ops_s;
  r.p50 = rec.latency_us.p50;
  r.p99 = rec.latency_us.p99;
  // A run that ended early has no verdict worth showing: its check ran on partial work.
  r.ok = rec.error.empty() ? rec.Correct() : std::nullopt;
  r.expected_ok = rec.ExpectedCorrect();
  r.note = rec.error.empty() ? rec.correctness.note : "stopped: " + rec.error;
  r.unit = rec.Unit();
  r.timing_trusted = rec.timing_trusted;
  r.timing_note = rec.timing_note;
  // One unit in the header when the rows share it (leaderboard's queries and updates do not).
  bool shared = true;
  for (const Row& other : rows_) shared = shared && (other.unit.empty() || other.unit == r.unit);
  SetUnit(shared ? r.unit : "");
  RowChanged(row);
}

QStringList RecordsModel::RowLabels() const {
  QStringList out;
  bool one_target = true;
  for (const Row& r : rows_) one_target = one_target && r.target == rows_.front().target;
  for (const Row& r : rows_) out << Q(one_target ? r.approach : r.approach + " · " + r.target);
  return out;
}

QString RecordsModel::ToTsv() const {
  QString out;
  for (int c = 0; c < kColumns; ++c) {
    out += headerData(c, Qt::Horizontal).toString() + (c + 1 < kColumns ? "\t" : "\n");
  }
  for (int r = 0; r < rowCount(); ++r) {
    for (int c = 0; c < kColumns; ++c) {
      out += data(index(r, c)).toString() + (c + 1 < kColumns ? "\t" : "\n");
    }
  }
  return out;
}

}  // namespace racetrack::gui
