#version 330
// The overlay's boxes, one instance each, drawn 1:1 from the overlay texture.
uniform vec2 u_size;      // output (= overlay) size in pixels
in vec2 in_pos;           // unit quad, (0,0) top-left
in vec4 in_box;           // x0, y0, x1, y1 in pixels, row 0 on top
out vec2 v_uv;
void main() {
    vec2 p = mix(in_box.xy, in_box.zw, in_pos);
    v_uv = p / u_size;
    gl_Position = vec4(p.x / u_size.x * 2.0 - 1.0, 1.0 - p.y / u_size.y * 2.0, 0.0, 1.0);
}
