"""Animations: the right number of frames, artists moved in place, small GIFs."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

import gradclip
from gradclip.plots import animation


@pytest.fixture(scope="module")
def quad_run():
    q = gradclip.Quadratic.with_condition(5.0)
    return q, gradclip.run(q, [3.0, 2.0], 0.8, 80)


@pytest.mark.parametrize("n, cap, expected", [(0, 60, 1), (5, 60, 6), (59, 60, 60), (80, 60, 60),
                                              (80, 10, 10)])
def test_frame_steps(n, cap, expected):
    steps = animation.frame_steps(n, cap)
    assert len(steps) == expected and steps[0] == 0 and steps[-1] == n


def test_descent_animation_frames_and_gif(quad_run, tmp_path):
    q, traj = quad_run
    anim = animation.descent_animation(q, traj, (-4, 4), (-4, 4), surface=True, max_frames=20)
    assert len(anim.frame_list) == 20
    path = animation.save_gif(anim, tmp_path / "a.gif", fps=10, dpi=40)
    with Image.open(path) as im:
        assert im.n_frames == 20
    plt.close(anim.scene.fig)


def test_side_by_side_moves_every_panel(quad_run, tmp_path):
    q, traj = quad_run
    clipped = gradclip.run(q, [3.0, 2.0], 0.8, 80, clip="norm", threshold=0.5)
    anim = animation.side_by_side_animation(q, [traj, clipped], ["raw", "clipped"], (-4, 4),
                                            (-4, 4), max_frames=5)
    with Image.open(animation.save_gif(anim, tmp_path / "b.gif", dpi=30)) as im:
        assert im.n_frames == 5
    scene = anim.scene
    scene.draw_frame(0)
    assert all(len(p.get_xdata()) == 1 for p in scene.paths)
    scene.draw_frame(40)
    assert [len(p.get_xdata()) for p in scene.paths] == [41, 41]
    np.testing.assert_array_equal(scene.paths[1].get_xydata(), clipped.thetas[:41])
    assert scene.step_text.get_text() == "step 40 / 80"
    plt.close(scene.fig)


def test_scene_rejects_bad_input(quad_run):
    q, traj = quad_run
    short = gradclip.run(q, [3.0, 2.0], 0.8, 5)
    with pytest.raises(ValueError, match="same number"):
        animation.TrajectoryScene(q, [traj, short], ["a", "b"], (-1, 1), (-1, 1))
    with pytest.raises(ValueError, match="labels"):
        animation.TrajectoryScene(q, [traj], [], (-1, 1), (-1, 1))
    with pytest.raises(ValueError, match="layout"):
        animation.TrajectoryScene(q, [traj], ["a"], (-1, 1), (-1, 1), layout="grid")
    with pytest.raises(ValueError, match="max_frames"):
        animation.frame_steps(10, 1)
