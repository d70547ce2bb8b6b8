#include "gui/page.h"

#include <QLabel>
#include <QVBoxLayout>

namespace racetrack::gui {

Page::Page(QWidget* parent) : QWidget(parent) {
  error_label_ = new QLabel(this);
  error_label_->setObjectName("page_error");
  error_label_->setWordWrap(true);
  error_label_->setAlignment(Qt::AlignCenter);
  error_label_->hide();
}

bool Page::load() {
  if (loaded_) return true;
  loaded_ = doLoad();
  if (!loaded_) {
    if (error_label_->text().isEmpty()) setError(tr("This page could not be built."));
    error_label_->resize(size());
    error_label_->raise();
    error_label_->show();
  }
  return loaded_;
}

QString Page::error() const { return error_label_->isHidden() ? QString() : error_label_->text(); }

void Page::setError(const QString& error) {
  error_label_->setText(error);
  error_label_->setGeometry(rect());
}

}  // namespace racetrack::gui
