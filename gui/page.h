// Page: the base of everything shown in the main window's content area (chartsgallery's
// ContentWidget). load() builds the page once through doLoad(); when that fails the page shows
// its error label with the reason instead of half a page. Only one page is alive at a time: the
// main window deletes the old one when the user picks another lesson.
//
// Thread-safety: GUI thread only.
#pragma once

#include <QString>
#include <QWidget>

class QLabel;

namespace racetrack::gui {

class Page : public QWidget {
  Q_OBJECT

 public:
  explicit Page(QWidget* parent = nullptr);

  // Builds the page on first call. Returns false (and shows the error label) when it cannot.
  bool load();
  bool loaded() const { return loaded_; }
  QString error() const;

 protected:
  // Builds the content. On failure calls setError() with a sentence for the user and returns false.
  virtual bool doLoad() = 0;
  void setError(const QString& error);

 private:
  QLabel* error_label_;
  bool loaded_ = false;
};

}  // namespace racetrack::gui
