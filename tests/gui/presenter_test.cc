// Presenter mode on every page: F5 toggles it, the type grows, the lesson list and run controls
// hide, and the keyboard alone moves between lessons (PgUp/PgDn), tabs (Left/Right) and charts
// (Up/Down) — keys the desktop layout leaves to its lists and spin boxes.
#include <QApplication>
#include <QLabel>
#include <QListWidget>
#include <QTabWidget>
#include <QtTest>

#include "gui/lesson_page.h"
#include "gui/main_window.h"

namespace racetrack::gui {

class PresenterTest : public QObject {
  Q_OBJECT

 private:
  // The largest font any visible label on the page uses.
  static int LargestLabelPt(QWidget* page) {
    int pt = 0;
    for (QLabel* l : page->findChildren<QLabel*>()) {
      if (l->isVisible()) pt = std::max(pt, l->font().pointSize());
    }
    return pt;
  }

 private slots:
  void EveryPageTogglesAndNavigatesByKeyboard() {
    AppContext context;
    context.theme = Theme::Normal();
    MainWindow window(context);
    window.resize(1280, 800);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    const int lessons = window.lessons()->count();
    QVERIFY(lessons >= 2);
    QVERIFY(
        window.ShowLesson(window.lessons()->item(0)->data(Qt::UserRole).toString().toStdString()));

    // Desktop mode: the arrow keys and PgDn do not navigate.
    const int tab0 = window.page()->tabs()->currentIndex();
    QTest::keyClick(&window, Qt::Key_Right);
    QTest::keyClick(&window, Qt::Key_PageDown);
    QCOMPARE(window.page()->tabs()->currentIndex(), tab0);
    QCOMPARE(window.lessons()->currentRow(), 0);

    QTest::keyClick(&window, Qt::Key_F5);
    QVERIFY(window.presenter());
    QVERIFY(window.lessons()->isHidden());
    for (int row = 0; row < lessons; ++row) {
      QApplication::processEvents();  // a new page's widgets are shown by a queued call
      LessonPage* page = window.page();
      QCOMPARE(window.lessons()->currentRow(), row);
      QVERIFY2(page->loaded(), qPrintable(page->error()));
      // F5 toggles on this page: out of presenter mode and back, the type shrinks and grows.
      const int big = LargestLabelPt(page);
      QTest::keyClick(&window, Qt::Key_F5);
      QVERIFY(!window.presenter());
      QVERIFY(!window.lessons()->isHidden());
      QVERIFY2(LargestLabelPt(page) < big, qPrintable(QString::fromStdString(page->scenario_id())));
      QTest::keyClick(&window, Qt::Key_F5);
      QVERIFY(window.presenter());
      QVERIFY(window.lessons()->isHidden());
      QCOMPARE(LargestLabelPt(page), big);
      QCOMPARE(window.page(), page);
      // Every tab is reachable by Right, and Left comes back.
      QTabWidget* tabs = page->tabs();
      tabs->setCurrentIndex(0);
      for (int t = 1; t < tabs->count(); ++t) {
        QTest::keyClick(&window, Qt::Key_Right);
        QCOMPARE(tabs->currentIndex(), t);
      }
      QTest::keyClick(&window, Qt::Key_Right);  // past the last tab: stays
      QCOMPARE(tabs->currentIndex(), tabs->count() - 1);
      QTest::keyClick(&window, Qt::Key_Left);
      QCOMPARE(tabs->currentIndex(), tabs->count() - 2);
      // The Live tab's charts, one at a time.
      tabs->setCurrentIndex(0);
      QCOMPARE(window.current_chart(), 0);
      if (window.StepChart(1)) {
        QCOMPARE(window.current_chart(), 1);
        QTest::keyClick(&window, Qt::Key_Up);
        QCOMPARE(window.current_chart(), 0);
      }
      QTest::keyClick(&window, Qt::Key_PageDown);
    }
    QCOMPARE(window.lessons()->currentRow(), lessons - 1);  // PgDn on the last lesson stays
    QTest::keyClick(&window, Qt::Key_PageUp);
    QCOMPARE(window.lessons()->currentRow(), lessons - 2);
    QApplication::processEvents();

    const int presenter_pt = LargestLabelPt(window.page());
    QTest::keyClick(&window, Qt::Key_F5);
    QVERIFY(!window.presenter());
    QVERIFY(!window.lessons()->isHidden());
    QVERIFY(LargestLabelPt(window.page()) < presenter_pt);
  }
};

}  // namespace racetrack::gui

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  racetrack::gui::PresenterTest test;
  return QTest::qExec(&test, argc, argv);
}

#include "presenter_test.moc"
