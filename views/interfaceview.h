// InterfaceView (kind "interface"): the stimulus an interface shows one agent, drawn large,
// with its label (the class name: "IV", "Sneaker", the letter to predict) under it. It reads
// the interface's own output of the frame (snapshot kind "output") and the class of each
// agent's stimulus (kind "label"), which the engine publishes together, so the picture and the
// label always belong to the same frame. One feature is drawn grey, three as RGB; other shapes
// as their feature maps (a one-hot sequence [features, length, 1] as a features x length image).
#pragma once

#include "views/view.h"

#include <memory>

class QComboBox;
class QSpinBox;

namespace streamlab::views {

class StimulusCanvas;

class InterfaceView : public View
{
    Q_OBJECT
public:
    explicit InterfaceView(RunController *controller, QWidget *parent = nullptr);
    ~InterfaceView() override;

    QString kind() const override { return QStringLiteral("interface"); }
    QString title() const override;
    QVariantMap saveConfig() const override;
    void restoreConfig(const QVariantMap &config) override;
    QImage renderImage() override;
    bool writeCsv(QTextStream &out, QString *error) const override;

    QString interfaceName() const { return mItem; }
    QString topic() const { return mTopic; }
    int agent() const { return mAgent; }
    void setInterface(const QString &name);
    void setTopic(const QString &topic);
    void setAgent(int agent);

    // What is drawn: the class of the shown stimulus (-1: none), the label text, the message
    // shown instead of a picture ("" when there is a picture), and where the picture lies in
    // the image of renderImage() (one tensor value per `pixel` square).
    int shownClass() const { return mClass; }
    QString labelText() const;
    QString message() const { return mMessage; }
    QRectF imageRect() const;
    // Whether a stimulus is drawn (none until the open session publishes one: after a reset too).
    bool showsStimulus() const;
    // The tensor drawn ([agents, features, X, Y], all agents) and the value range mapped to
    // black .. white.
    const Tensor &shownTensor() const { return mTensor; }
    std::pair<float, float> range() const { return {mLow, mHigh}; }

protected:
    void subscribe() override;
    void refresh(qint64 frame) override;
    void unsubscribe() override;

private:
    void setMessage(const QString &message);
    void updateControls();
    void redraw();

    QComboBox *mInterfaceBox;
    QComboBox *mTopicBox;
    QSpinBox *mAgentBox;
    StimulusCanvas *mCanvas;
    QString mItem; // the configured interface ("" = the network's first)
    QString mTopic; // the configured out topic ("" = the most image-like one)
    QString mShownTopic;
    int mAgent = 0;
    std::shared_ptr<session::SnapshotSlot> mOutputSlot, mLabelSlot;
    Tensor mTensor, mLabels;
    std::vector<std::string> mClassNames;
    int mClass = -1;
    float mLow = 0.0f, mHigh = 1.0f;
    QString mMessage;
    bool mUpdatingControls = false;
};

// The picture of one agent's slice of `tensor` [agents, C, X, Y] with values in [low, high]:
// C = 1 grey, C = 3 RGB, Y = 1 a C x X image, otherwise the C maps side by side in a grid
// (one pixel gap). x runs to the right and y downwards, as the interfaces draw.
QImage stimulusImage(const Tensor &tensor, int agent, float low, float high);

View *createInterfaceView(RunController *controller, QWidget *parent);

} // namespace streamlab::views
