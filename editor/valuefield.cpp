#include "editor/valuefield.h"

#include "ops/activation.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace streamlab::editor {

namespace {

QStringList toQt(const std::vector<std::string> &list)
{
    QStringList out;
    for (const auto &s : list)
        out << QString::fromStdString(s);
    return out;
}

QHBoxLayout *tightLayout(QWidget *owner)
{
    auto *layout = new QHBoxLayout(owner);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    return layout;
}

} // namespace

void ValueField::commitOnEditingFinished(QLineEdit *edit)
{
    connect(edit, &QLineEdit::textEdited, this, [this] { mDirty = true; });
    connect(edit, &QLineEdit::editingFinished, this, [this, edit] {
        if (mDirty)
            Q_EMIT edited(edit->text(), false);
    });
}

// ---- LineField -------------------------------------------------------------------------------

LineField::LineField(QWidget *parent)
    : ValueField(parent)
    , mEdit(new QLineEdit(this))
{
    tightLayout(this)->addWidget(mEdit);
    setFocusProxy(mEdit);
    commitOnEditingFinished(mEdit);
}

void LineField::setValueText(const QString &text, const QString &placeholder)
{
    if (mEdit->text() != text)
        mEdit->setText(text);
    mEdit->setPlaceholderText(placeholder);
    mDirty = false;
}

QString LineField::valueText() const
{
    return mEdit->text();
}

QWidget *LineField::editor() const
{
    return mEdit;
}

// ---- NumberField -----------------------------------------------------------------------------

NumberField::NumberField(const KeyInfo &info, QWidget *parent)
    : LineField(parent)
    , mInteger(info.type == ValueType::Int)
    , mMin(info.min)
    , mMax(info.max)
{
    auto *handle = new QLabel(QStringLiteral("\u2194"), this);
    handle->setObjectName(QStringLiteral("scrub"));
    handle->setCursor(Qt::SizeHorCursor);
    handle->setToolTip(tr("Drag to change the value; Up/Down and the wheel step it"));
    handle->installEventFilter(this);
    layout()->addWidget(handle);
    lineEdit()->installEventFilter(this);
}

void NumberField::step(int direction)
{
    bool ok = false;
    double v = lineEdit()->text().toDouble(&ok);
    if (!ok)
        v = lineEdit()->placeholderText().toDouble(&ok);
    if (!ok)
        v = 0.0;
    double size = 1.0;
    if (!mInteger) // a tenth of the leading digit's magnitude: scrubs stay proportional
        size = v == 0.0 ? 0.01 : std::pow(10.0, std::floor(std::log10(std::fabs(v))) - 1);
    v = std::clamp(v + direction * size, mMin, mMax);
    const QString text = mInteger ? QString::number(std::llround(v)) : QString::number(v, 'g', 10);
    lineEdit()->setText(text);
    mDirty = false;
    Q_EMIT edited(text, true);
}

bool NumberField::eventFilter(QObject *watched, QEvent *event)
{
    switch (event->type()) {
    case QEvent::KeyPress: {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key != Qt::Key_Up && key != Qt::Key_Down)
            break;
        step(key == Qt::Key_Up ? 1 : -1);
        return true;
    }
    case QEvent::Wheel: {
        const int dy = static_cast<QWheelEvent *>(event)->angleDelta().y();
        if (dy != 0)
            step(dy > 0 ? 1 : -1);
        return true;
    }
    case QEvent::MouseButtonPress:
        mDragX = static_cast<QMouseEvent *>(event)->position().toPoint().x();
        return watched != lineEdit();
    case QEvent::MouseMove: {
        if (watched == lineEdit())
            break;
        const int x = static_cast<QMouseEvent *>(event)->position().toPoint().x();
        constexpr int kPixelsPerStep = 6;
        for (; x - mDragX >= kPixelsPerStep; mDragX += kPixelsPerStep)
            step(1);
        for (; mDragX - x >= kPixelsPerStep; mDragX -= kPixelsPerStep)
            step(-1);
        return true;
    }
    default:
        break;
    }
    return LineField::eventFilter(watched, event);
}

// ---- ChoiceField -----------------------------------------------------------------------------

ChoiceField::ChoiceField(const QStringList &choices, bool editable, QWidget *parent)
    : ValueField(parent)
    , mCombo(new QComboBox(this))
{
    tightLayout(this)->addWidget(mCombo);
    setFocusProxy(mCombo);
    mCombo->setEditable(editable);
    mCombo->addItems(choices);
    mCombo->setInsertPolicy(QComboBox::NoInsert);
    connect(mCombo, &QComboBox::activated, this,
            [this](int index) { Q_EMIT edited(mCombo->itemText(index), false); });
    if (editable)
        commitOnEditingFinished(mCombo->lineEdit());
}

void ChoiceField::setValueText(const QString &text, const QString &placeholder)
{
    const QSignalBlocker block(mCombo);
    mCombo->setPlaceholderText(placeholder);
    if (mCombo->isEditable())
        mCombo->lineEdit()->setPlaceholderText(placeholder);
    if (text.isEmpty()) {
        mCombo->setCurrentIndex(-1);
        if (mCombo->isEditable())
            mCombo->setEditText({});
    } else {
        if (mCombo->findText(text) < 0)
            mCombo->addItem(text); // a value that is not (yet) valid stays visible
        mCombo->setCurrentIndex(mCombo->findText(text));
    }
    mDirty = false;
}

QString ChoiceField::valueText() const
{
    return mCombo->currentText();
}

QWidget *ChoiceField::editor() const
{
    return mCombo;
}

// ---- BoolField -------------------------------------------------------------------------------

BoolField::BoolField(QWidget *parent)
    : ValueField(parent)
    , mCheck(new QCheckBox(this))
{
    tightLayout(this)->addWidget(mCheck);
    setFocusProxy(mCheck);
    connect(mCheck, &QCheckBox::clicked, this, [this](bool on) {
        Q_EMIT edited(on ? QStringLiteral("True") : QStringLiteral("False"), false);
    });
}

void BoolField::setValueText(const QString &text, const QString &placeholder)
{
    const QString shown = text.isEmpty() ? placeholder : text;
    const QSignalBlocker block(mCheck);
    mCheck->setChecked(shown.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0);
    mCheck->setText(text.isEmpty() ? tr("(default)") : QString());
    mDirty = false;
}

QString BoolField::valueText() const
{
    return mCheck->isChecked() ? QStringLiteral("True") : QStringLiteral("False");
}

QWidget *BoolField::editor() const
{
    return mCheck;
}

// ---- factory ---------------------------------------------------------------------------------

ValueField *createField(const KeyInfo *info, const QStringList &neuronPools, QWidget *parent)
{
    if (!info || info->layout != Layout::Single)
        return new LineField(parent);
    switch (info->type) {
    case ValueType::Int:
    case ValueType::Float:
        return new NumberField(*info, parent);
    case ValueType::Bool:
        return new BoolField(parent);
    case ValueType::Enum:
        return new ChoiceField(toQt(info->choices), false, parent);
    case ValueType::NeuronPool:
        return new ChoiceField(neuronPools, false, parent);
    case ValueType::Activation:
        return new ChoiceField(toQt(ops::Activation::names()), true, parent);
    default:
        break;
    }
    return new LineField(parent);
}

} // namespace streamlab::editor
